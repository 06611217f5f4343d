/**
 * dma_direct_mmap() in the `jgg-flags` design (facts §3; see
 * jgg-flags-common.ts): the user mapping's prot is a pure function of the
 * buffer's flag, which mmap recovers from the buffer's provenance (one of
 * the "few places that recover the phys & flag"): a restricted-pool slot
 * has the pool's state (DEC); an atomic-pool chunk is DEC; CMA/buddy
 * memory is DEC iff dma-direct decrypted it.
 *
 * ABSTRACTION: provenance is recovered from what decided it, all fixed
 * for a run: a restricted-pool device's buffers are its pool's slots
 * (`isSwiotlbForAlloc`); a buffer of a device that cannot DMA from
 * encrypted memory is DEC whatever its source (`forceDmaUnencrypted`);
 * for the other devices the buffer is an atomic-pool chunk iff the
 * allocation took the atomic-pool diversion, which is re-decided here
 * from the same inputs (the kernel would look the phys up in the pools;
 * the environment has no side-effect-free pool lookup).
 * ABSTRACTION: dev-coherent and global-coherent memory, and the vm_pgoff
 * bounds check, are left out, and remap_pfn_range() succeeds, as in
 * dma-direct-mmap.ts.
 */
import { dmaSetup, initialContext, nonCoherentStrategy, type StateMeta } from './dma-setup.ts';
import { jggSource, SET_FLAG_DECRYPTED } from './jgg-flags-common.ts';

const FN = 'dma_direct_mmap()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'recoverFlag') => jggSource(FN, what, msg);

export const jggDmaDirectMmap = dmaSetup.createMachine({
  id: 'dma_direct_mmap',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('recover the flag: swiotlb_find_pool(dev, phys) -> pool state DEC; CMA/buddy transitioned by dma-direct -> DEC') } satisfies StateMeta,
      always: [
        { guard: 'isSwiotlbForAlloc', actions: [...SET_FLAG_DECRYPTED], target: 'remappingPfnRange' },
        { guard: 'forceDmaUnencrypted', actions: [...SET_FLAG_DECRYPTED], target: 'remappingPfnRange' },
        { guard: 'noKernelMappingShortcut', target: 'remappingPfnRange' },
        { guard: 'devIsDmaCoherent', target: 'remappingPfnRange' },
        { target: 'nonCoherentProvenance' },
      ],
    },
    nonCoherentProvenance: {
      meta: { source: src('recover the flag of a non-coherent buffer (remap or set_uncached strategy): was it an atomic-pool chunk?') } satisfies StateMeta,
      always: nonCoherentStrategy('atomicPoolProvenance', 'remappingPfnRange'),
    },
    atomicPoolProvenance: {
      meta: { source: src('an atomic-pool chunk (the allocation\'s dma_direct_use_pool() diversion) -> flag DEC; else CMA/buddy, flag ENC') } satisfies StateMeta,
      always: [
        { guard: 'useAtomicPool', actions: [...SET_FLAG_DECRYPTED], target: 'remappingPfnRange' },
        { target: 'remappingPfnRange' },
      ],
    },
    remappingPfnRange: {
      meta: { source: src('remap_pfn_range(vma, ..., flag DEC ? pgprot_decrypted(vm_page_prot) : vm_page_prot)', 'allocSketch'), call: 'remap_pfn_range' } satisfies StateMeta,
      on: { PFN_REMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: src('return 0'), returns: 'mmap_result' } satisfies StateMeta,
    },
  },
});
