/**
 * The per-device coherent memory test inside dma_direct_mmap(): after the
 * function has set `vma->vm_page_prot` (dma_pgprot(), and at baseline
 * pgprot_decrypted() when force_dma_unencrypted(dev)), it offers the buffer
 * to dma_mmap_from_dev_coherent(), which maps a buffer inside the device's
 * region with that prot (kernel/dma/coherent.c __dma_mmap_from_coherent(),
 * lines 237-252). Every dma_direct_mmap() structure shares these states.
 *
 * For a device without coherent memory dev_get_coherent_memory() is NULL
 * and the test returns 0 at once (coherent.c:237, 254): no environment call.
 */
import type { StateMeta } from './dma-setup.ts';
import { coherentAt } from './mapping-common.ts';

export function devCoherentMmapStates(check: string, next: string, returned: string) {
  return {
    devCoherentCheck: {
      meta: { source: check } satisfies StateMeta,
      always: [{ guard: 'devCoherentMemory', target: 'mmapFromDevCoherent' }, { target: next }],
    },
    mmapFromDevCoherent: {
      meta: {
        source: coherentAt(248, '__dma_mmap_from_coherent', 'cpu_addr inside the region: remap_pfn_range(vma, vm_start, pfn, size, vma->vm_page_prot) with the prot dma_direct_mmap() set; return 1'),
        call: 'dma_mmap_from_dev_coherent',
      } satisfies StateMeta,
      on: { PFN_REMAPPED: { target: returned }, NOT_IN_POOL: { target: next } },
    },
  } as const;
}
