/**
 * dma_direct_free_pages() — kernel/dma/direct.c:472-503 at v7.3 (63e62b63;
 * facts §8).
 *
 * `mark_mem_encrypted` is force_dma_unencrypted(dev) asked at free time.
 * An atomic-pool page is found by its physical address
 * (dma_free_from_pool_page(): "dma: free atomic pool pages by physical
 * address"), also under DMA_DIRECT_REMAP; a page in a swiotlb pool is not
 * re-encrypted and goes back to its pool.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { at, v73FindPoolState, v73FreeTailStates } from './v73-common.ts';

const FN = 'dma_direct_free_pages';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectFreePages = dmaSetup.createMachine({
  id: 'dma_direct_free_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: L(483, 'vaddr = page_address(page); mark_mem_encrypted = force_dma_unencrypted(dev) (asked at free time)') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', actions: 'setMarkMem', target: 'poolCheck' }, { target: 'poolCheck' }],
    },
    poolCheck: {
      meta: { source: L(486, 'if (IS_ENABLED(CONFIG_DMA_COHERENT_POOL) && dma_free_from_pool_page(dev, page, size)) return') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'freeToPool' }, { target: 'findSwiotlbPool' }],
    },
    freeToPool: {
      meta: { source: L(487, 'dma_free_from_pool_page(dev, page, size) (kernel/dma/pool.c: by physical address)'), call: 'dma_free_from_pool_by_phys' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'findSwiotlbPool' } },
    },
    ...v73FindPoolState(491, FN, 'encryptCheck'),
    ...v73FreeTailStates(FN, { encrypt: 495, leak: 496, split: 498, toPool: 499, contiguous: 501 }, 'dma_set_encrypted(dev, vaddr, size) -> set_memory_encrypted()'),
  },
});
