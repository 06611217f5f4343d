/**
 * dma_direct_free() — kernel/dma/direct.c after v2 patch 3 "Decrypt memory
 * on remap" (facts §2, patch 3). Used by v2-p3, v2-p4 and v2-p3-without-p1.
 *
 * Structure change from baseline: in the is_vmalloc_addr() branch, vaddr =
 * page_address(dma_direct_to_page(dev, dma)) is computed before vunmap(),
 * and after vunmap() the linear alias is re-encrypted (a failure leaks).
 *
 * ABSTRACTION: as in the baseline free (dma-direct-free.ts): arch_dma_free()
 * and the global coherent pool are dropped with their alloc counterparts,
 * and cpu_addr and dma_handle always refer to the same allocation (a
 * correct driver), so the page that dma_direct_to_page() derives from the
 * handle (through dma_to_phys(), which strips the encryption bit) is the
 * page the allocation recorded.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { freeCommonStates, FREE_SRC as SRC } from './dma-direct-free-common.ts';

export const dmaDirectFreeReencryptRemap = dmaSetup.createMachine({
  id: 'dma_direct_free',
  initial: 'start',
  context: initialContext,
  states: {
    ...freeCommonStates(),
    vunmapping: {
      meta: { source: `${SRC}: is_vmalloc_addr(cpu_addr): vaddr = page_address(dma_direct_to_page()); vunmap(cpu_addr); then dma_set_encrypted(vaddr)`, call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'encrypting' } },
    },
  },
});
