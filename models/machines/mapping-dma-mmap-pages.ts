/**
 * dma_mmap_pages() — kernel/dma/mapping.c (v7.3 b45e3d35 lines 778-788;
 * before the series 761-771, the same code): maps pages from
 * dma_alloc_pages() with remap_pfn_range() and the vma's prot as it is: no
 * dma_pgprot(), no pgprot_decrypted(), in either generation. A page that
 * dma_direct_alloc_pages() decrypted for a force_dma_unencrypted device is
 * mapped to user space with the default (encrypted, where memory encryption
 * is active) prot.
 *
 * ABSTRACTION: the vm_pgoff bounds check passes (a correct driver) and
 * remap_pfn_range() succeeds; the vma's default prot is the encrypted one
 * where memory encryption is active (x86 makes protection_map encrypted in
 * sme_early_init(); arm64 realms and the others leave the shared bit out).
 */
import type { DmaMachine, StateMeta } from './dma-setup.ts';
import { frontEndMachine, mappingAt } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

const FN = 'dma_mmap_pages';

/** dma_mmap_pages() of generation `gen`. */
export function dmaMmapPages(gen: EnvGeneration): DmaMachine {
  const L = (classic: number, ccShared: number, what: string) => mappingAt(gen, { classic, 'cc-shared': ccShared }, FN, what);
  return frontEndMachine(FN, undefined, () => ({
    start: {
      meta: { source: L(766, 783, 'if (vma->vm_pgoff >= count || vma_pages(vma) > count - vma->vm_pgoff) return -ENXIO (passes)') } satisfies StateMeta,
      always: [{ target: 'remappingPfnRange' }],
    },
    remappingPfnRange: {
      meta: { source: L(768, 785, 'remap_pfn_range(vma, vm_start, page_to_pfn(page) + vm_pgoff, size, vma->vm_page_prot): the prot unchanged'), call: 'remap_pfn_range' } satisfies StateMeta,
      on: { PFN_REMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: L(768, 785, 'return remap_pfn_range(...) (0)'), returns: 'mmap_result' } satisfies StateMeta,
    },
  }));
}
