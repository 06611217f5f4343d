/**
 * dma_direct_free() — kernel/dma/direct.c:359-430 at v7.3 (63e62b63; facts §8).
 *
 * The free asks force_dma_unencrypted(dev) again, at free time, to decide
 * `mark_mem_encrypted` and the NO_KERNEL_MAPPING shortcut: both mirror the
 * allocation only while the answer has not changed (a driver that moved its
 * coherent DMA mask across the SME C-bit in between gets the other
 * answer). A buffer found in a swiotlb pool is not re-encrypted and goes
 * back to its pool; the linear alias `phys_to_virt(phys)` is re-encrypted
 * after the vmap alias is gone.
 *
 * ABSTRACTION: arch_dma_free() and the global coherent pool (lines 384-396)
 * are dropped with their alloc counterparts. cpu_addr and dma_addr always
 * refer to the same allocation (a correct driver).
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { at, v73FindPoolState, v73FreeTailStates } from './v73-common.ts';

const FN = 'dma_direct_free';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectFree = dmaSetup.createMachine({
  id: 'dma_direct_free',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: L(371, 'if (force_dma_unencrypted(dev)) attrs |= __DMA_ATTR_ALLOC_CC_SHARED (asked at free time)') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'sharedAttr' }, { target: 'sharedAttr' }],
    },
    sharedAttr: {
      meta: { source: L(374, 'if (attrs & __DMA_ATTR_ALLOC_CC_SHARED) mark_mem_encrypted = true') } satisfies StateMeta,
      always: [{ guard: 'ccShared', actions: 'setMarkMem', target: 'noKernelMappingCheck' }, { target: 'noKernelMappingCheck' }],
    },
    noKernelMappingCheck: {
      meta: { source: L(377, '(attrs & (NO_KERNEL_MAPPING | __DMA_ATTR_ALLOC_CC_SHARED)) == NO_KERNEL_MAPPING && !is_swiotlb_for_alloc(dev); else the atomic pool') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingUnshared', target: 'freeCookie' },
        { guard: 'coherentPoolConfigured', target: 'freeToPool' },
        { target: 'findSwiotlbPool' },
      ],
    },
    freeCookie: {
      meta: { source: L(380, 'dma_free_contiguous(dev, cpu_addr /* struct page cookie */, size); return'), call: 'dma_free_contiguous' } satisfies StateMeta,
      on: { CMA_RELEASED: { target: 'returned' } },
    },
    freeToPool: {
      meta: { source: L(400, 'dma_free_from_pool(dev, cpu_addr, PAGE_ALIGN(size)) (gen_pool lookup by virtual address) -> return'), call: 'dma_free_from_pool', arg: 'cpu_addr' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'findSwiotlbPool' } },
    },
    ...v73FindPoolState(404, FN, 'vmallocCheck'),
    vmallocCheck: {
      meta: { source: L(409, 'if (is_vmalloc_addr(cpu_addr)) vunmap(cpu_addr); else arch_dma_clear_uncached() where configured') } satisfies StateMeta,
      always: [
        { guard: 'cpuAddrIsVmalloc', target: 'vunmapping' },
        { guard: 'clearUncachedConfigured', target: 'clearingUncached' },
        { target: 'encryptCheck' },
      ],
    },
    vunmapping: {
      meta: { source: L(410, 'vunmap(cpu_addr)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'encryptCheck' } },
    },
    clearingUncached: {
      meta: { source: L(413, 'arch_dma_clear_uncached(cpu_addr, size)'), call: 'arch_dma_clear_uncached' } satisfies StateMeta,
      on: { UNCACHED_CLEARED: { target: 'encryptCheck' } },
    },
    ...v73FreeTailStates(FN, { encrypt: 416, leak: 421, split: 426, toPool: 427, contiguous: 429 }, 'set_memory_encrypted(phys_to_virt(phys), PFN_UP(size))'),
  },
});
