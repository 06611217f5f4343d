/**
 * dma_direct_free() in the `jgg-flags` design (facts §3 "free side"; see
 * jgg-flags-common.ts).
 *
 * dma-direct re-encrypts only memory whose state it changed itself
 * (owned_transition), and recovers that from the buffer's provenance:
 * an atomic-pool chunk (found by dma_free_from_pool()) and a
 * restricted-pool slot (swiotlb_find_pool(dev, phys)) go back to their
 * pool as they are; memory from CMA/buddy was transitioned iff its flag
 * is DEC. Aliases are removed first (vunmap of a remapped buffer), then
 * the linear alias is re-encrypted (a failure leaks), then the pages are
 * freed.
 *
 * ABSTRACTION: swiotlb_find_pool(dev, phys) is `isSwiotlbForAlloc`: a
 * device with a restricted pool gets every coherent buffer from it (no
 * fallback, no atomic pool) and a device without one never gets a slot.
 * ABSTRACTION: the flag of a CMA/buddy buffer, which the design carries
 * with the allocation, is `forceDmaUnencrypted` (the allocation set it to
 * DEC iff the device cannot DMA from encrypted memory). A device's answer
 * is fixed for a run, so recomputing equals carrying; an SME host whose
 * DMA mask changes between alloc and free (facts §5.1) is not modelled.
 * ABSTRACTION: arch_dma_free and the global coherent pool are left out
 * with their alloc counterparts; cpu_addr and dma_handle always refer to
 * the same allocation.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggFreeTailStates, jggSource } from './jgg-flags-common.ts';

const FN = 'dma_direct_free()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'recoverFlag') => jggSource(FN, what, msg);

export const jggDmaDirectFree = dmaSetup.createMachine({
  id: 'dma_direct_free',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('entry; NO_KERNEL_MAPPING shortcut (mirrors the alloc: no encryption work, no restricted pool)', 'twoQuestions') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingShortcut', target: 'freeCookie' },
        { guard: 'coherentPoolConfigured', target: 'freeToPool' },
        { target: 'vmallocCheck' },
      ],
    },
    freeCookie: {
      meta: { source: src('NO_KERNEL_MAPPING: dma_free_contiguous(dev, page, size) (flag ENC, nothing to undo)'), call: 'dma_free_contiguous' } satisfies StateMeta,
      on: { CMA_RELEASED: { target: 'returned' } },
    },
    freeToPool: {
      meta: { source: src('provenance: dma_free_from_pool(dev, cpu_addr, size); an atomic-pool chunk goes back decrypted, no transition to undo'), call: 'dma_free_from_pool', arg: 'cpu_addr' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'vmallocCheck' } },
    },
    vmallocCheck: {
      meta: { source: src('if (is_vmalloc_addr(cpu_addr)) vunmap(cpu_addr)') } satisfies StateMeta,
      always: [
        { guard: 'cpuAddrIsVmalloc', target: 'vunmapping' },
        { guard: 'clearUncachedConfigured', target: 'clearingUncached' },
        { target: 'provenance' },
      ],
    },
    vunmapping: {
      meta: { source: src('vunmap(cpu_addr); the linear alias is phys_to_virt(phys)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'provenance' } },
    },
    clearingUncached: {
      meta: { source: src('arch_dma_clear_uncached(cpu_addr, size)'), call: 'arch_dma_clear_uncached' } satisfies StateMeta,
      on: { UNCACHED_CLEARED: { target: 'provenance' } },
    },
    ...jggFreeTailStates(FN, 'phys_to_virt(phys)'),
  },
});
