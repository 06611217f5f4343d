/**
 * dma_direct_alloc_pages() — kernel/dma/direct.c:432-470 at v7.3 (63e62b63;
 * facts §8); backs dma_alloc_pages() and dma_alloc_noncoherent(). Never
 * remaps.
 *
 * What changed from baseline: the attr is set from force_dma_unencrypted()
 * at entry and decides the atomic-pool diversion, the decrypt and the DMA
 * address encoding; the atomic pool hands back its real struct page ("return
 * struct page from dma_direct_alloc_from_pool()"); a restricted-pool device
 * takes a slot first and skips the decrypt.
 *
 * ABSTRACTION: dma_direct_alloc_swiotlb() keeps the slot (dma_coherent_ok()
 * holds); memset() is folded into the hand-out.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { allocPagesEntry } from './direct-alloc-pages-states.ts';
import { at, ccSharedPrologue, v73AllocFromPoolStates, v73DirectAllocPagesStates } from './v73-common.ts';

const FN = 'dma_direct_alloc_pages';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectAllocPages = dmaSetup.createMachine({
  id: 'dma_direct_alloc_pages',
  initial: 'start',
  context: initialContext,
  states: {
    ...ccSharedPrologue(439, FN, 'poolCheck'),
    poolCheck: {
      meta: { source: L(442, 'if ((attrs & __DMA_ATTR_ALLOC_CC_SHARED) && dma_direct_use_pool(dev, gfp)); else if (is_swiotlb_for_alloc(dev))') } satisfies StateMeta,
      always: [
        { guard: 'useAtomicPoolSharedForAllocPages', target: 'fromPool' },
        { guard: 'isSwiotlbForAlloc', target: 'swiotlbAlloc' },
        { target: allocPagesEntry('') },
      ],
    },
    ...v73AllocFromPoolStates('returnPoolPage', 'returnNull'),
    returnPoolPage: {
      type: 'final',
      meta: { source: L(443, 'return dma_direct_alloc_from_pool(...): the pool page'), returns: 'page' } satisfies StateMeta,
    },
    swiotlbAlloc: {
      meta: { source: L(447, 'page = dma_direct_alloc_swiotlb(dev, size, attrs); NULL -> return NULL; else goto setup_page'), call: 'swiotlb_alloc' } satisfies StateMeta,
      on: { SWIOTLB_ALLOC_OK: { target: 'handOut' }, SWIOTLB_ALLOC_FAILED: { target: 'returnNull' } },
    },
    ...(v73DirectAllocPagesStates('', 'decryptCheck', 'returnNull', false) as {}),
    decryptCheck: {
      meta: { source: L(460, 'cpu_addr = page_address(page); if (attrs & __DMA_ATTR_ALLOC_CC_SHARED)') } satisfies StateMeta,
      always: [{ guard: 'ccShared', target: 'setMemoryDecrypted' }, { target: 'handOut' }],
    },
    setMemoryDecrypted: {
      meta: { source: L(461, 'dma_set_decrypted(dev, cpu_addr, size) -> set_memory_decrypted(); failure -> goto out_leak_pages'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'handOut' }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    handOut: {
      meta: { source: L(465, 'setup_page: memset(); *dma_handle = phys_to_dma_direct(dev, page_to_phys(page), attrs & __DMA_ATTR_ALLOC_CC_SHARED)') } satisfies StateMeta,
      always: [
        { guard: 'ccShared', actions: 'usePhysToDmaUnencrypted', target: 'returnPage' },
        { target: 'returnPage' },
      ],
    },
    returnPage: {
      type: 'final',
      meta: { source: L(467, 'return page'), returns: 'page' } satisfies StateMeta,
    },
    outLeakPages: {
      type: 'final',
      meta: { source: L(469, 'out_leak_pages: return NULL; the page is never freed'), returns: 'null', leak: true, warn: "dma_set_decrypted(): pr_warn_ratelimited, leaking DMA memory that can't be decrypted" } satisfies StateMeta,
    },
    returnNull: {
      type: 'final',
      meta: { source: L(457, 'return NULL'), returns: 'null' } satisfies StateMeta,
    },
  },
});
