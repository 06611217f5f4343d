/**
 * dma_direct_mmap() — kernel/dma/direct.c (facts §1.7). Same structure in
 * every version; the prot decision is the `mmapProtDecrypted` guard
 * (force_dma_unencrypted at baseline, is_dma_decrypted at v2-p4).
 *
 * A buffer in the device's coherent memory (reached through dma_mmap_attrs())
 * is mapped by dma_mmap_from_dev_coherent() with the prot set above
 * (dev-coherent-mmap-states.ts).
 *
 * ABSTRACTION: dma_mmap_from_global_coherent() (CONFIG_DMA_GLOBAL_POOL, no
 * modelled platform selects it) is dropped, and the vm_pgoff bounds
 * check always passes (a correct driver); remap_pfn_range() succeeds (its
 * failure is only returned, no page changes fate).
 * ABSTRACTION: dma_mmap_attrs() refuses a non-coherent device unless
 * dma_direct_can_mmap() (CONFIG_DMA_NONCOHERENT_MMAP, which arm64 selects);
 * the model lets every allocation be mapped.
 */
import { devCoherentMmapStates } from './dev-coherent-mmap-states.ts';
import { baselineAt, dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

export const dmaDirectMmap = dmaSetup.createMachine({
  id: 'dma_direct_mmap',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: baselineAt(539, 'dma_direct_mmap', 'vm_page_prot = dma_pgprot(dev, vm_page_prot, attrs); pgprot_decrypted() when the guard holds') } satisfies StateMeta,
      always: [
        { guard: 'mmapProtDecrypted', actions: 'usePgprotDecrypted', target: 'devCoherentCheck' },
        { target: 'devCoherentCheck' },
      ],
    },
    ...devCoherentMmapStates(baselineAt(543, 'dma_direct_mmap', 'if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret)) return ret'), 'remappingPfnRange', 'returned'),
    remappingPfnRange: {
      meta: { source: baselineAt(550, 'dma_direct_mmap', 'remap_pfn_range(vma, vm_start, pfn + vm_pgoff, size, vm_page_prot)'), call: 'remap_pfn_range' } satisfies StateMeta,
      on: { PFN_REMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: baselineAt(550, 'dma_direct_mmap', 'return 0'), returns: 'mmap_result' } satisfies StateMeta,
    },
  },
});
