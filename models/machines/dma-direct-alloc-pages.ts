/**
 * dma_direct_alloc_pages() — kernel/dma/direct.c (facts §1.5); backs
 * dma_alloc_pages() and dma_alloc_noncoherent(). Never remaps. Same
 * structure in baseline and every v2 patch (patch 3 leaves it alone;
 * allow_highmem is already false).
 *
 * Modelled oddity: on the atomic-pool path, dma_direct_alloc_from_pool()
 * returns the pool's CPU virtual address (void *) and this function returns
 * it as the struct page pointer (fixed later by "dma-direct: return struct
 * page from dma_direct_alloc_from_pool()", Fixes 5b138c534fda).
 */
import { baselineAt, dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { allocPagesEntry, directAllocPagesStates } from './direct-alloc-pages-states.ts';
import { allocFromPoolStates } from './direct-alloc-from-pool-states.ts';

export const dmaDirectAllocPages = dmaSetup.createMachine({
  id: 'dma_direct_alloc_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: baselineAt(359, 'dma_direct_alloc_pages', 'entry; atomic-pool diversion test') } satisfies StateMeta,
      always: [{ guard: 'useAtomicPoolForAllocPages', target: 'fromPool' }, { target: allocPagesEntry('') }],
    },
    ...allocFromPoolStates('returnVaddrAsPage', 'returnNull'),
    returnVaddrAsPage: {
      type: 'final',
      meta: { source: baselineAt(360, 'dma_direct_alloc_pages', 'return dma_direct_alloc_from_pool(...): the CPU address (void *) becomes the struct page * result'), returns: 'vaddr_as_page' } satisfies StateMeta,
    },
    ...(directAllocPagesStates({ prefix: '', onPage: 'decrypting', onNoPage: 'returnNull', allowHighmem: false }) as {}),
    decrypting: {
      meta: { source: baselineAt(367, 'dma_direct_alloc_pages', 'ret = page_address(page); dma_set_decrypted(dev, ret, size)') } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryDecrypted' }, { target: 'handOut' }],
    },
    setMemoryDecrypted: {
      meta: { source: baselineAt(367, 'dma_direct_alloc_pages', 'dma_set_decrypted() -> set_memory_decrypted(); failure -> goto out_leak_pages'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'handOut' }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    handOut: {
      meta: { source: baselineAt(370, 'dma_direct_alloc_pages', 'memset(ret, 0, size); *dma_handle = phys_to_dma_direct(dev, page_to_phys(page))') } satisfies StateMeta,
      always: [
        { guard: 'physToDmaUnencrypted', actions: 'usePhysToDmaUnencrypted', target: 'returnPage' },
        { target: 'returnPage' },
      ],
    },
    returnPage: {
      type: 'final',
      meta: { source: baselineAt(371, 'dma_direct_alloc_pages', 'return page'), returns: 'page' } satisfies StateMeta,
    },
    outLeakPages: {
      type: 'final',
      meta: { source: baselineAt(373, 'dma_direct_alloc_pages', 'out_leak_pages: return NULL; the page is never freed'), returns: 'null', leak: true } satisfies StateMeta,
    },
    returnNull: {
      type: 'final',
      meta: { source: baselineAt(364, 'dma_direct_alloc_pages', 'return NULL'), returns: 'null' } satisfies StateMeta,
    },
  },
});
