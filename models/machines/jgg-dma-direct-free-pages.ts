/**
 * dma_direct_free_pages() in the `jgg-flags` design (facts §3 "free
 * side"; see jgg-flags-common.ts and jgg-dma-direct-free.ts for how
 * owned_transition is recovered).
 *
 * An atomic-pool chunk goes back to the pool; otherwise a restricted-pool
 * slot goes back as it is, and a CMA/buddy page whose flag is DEC (dma-direct
 * decrypted it) is re-encrypted first (a failure leaks).
 *
 * The design finds an atomic-pool chunk by its phys (as Aneesh Kumar's
 * "dma: free atomic pool pages by physical address" does), not by
 * page_address(page), which misses the vmap-keyed gen_pool under
 * CONFIG_DMA_DIRECT_REMAP.
 * ABSTRACTION: swiotlb_find_pool() and the flag of a CMA/buddy page are
 * recovered as in jgg-dma-direct-free.ts.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggFreeTailStates, jggSource } from './jgg-flags-common.ts';

const FN = 'dma_direct_free_pages()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'recoverFlag') => jggSource(FN, what, msg);

export const jggDmaDirectFreePages = dmaSetup.createMachine({
  id: 'dma_direct_free_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('entry; atomic pool configured?') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'freeToPool' }, { target: 'provenance' }],
    },
    freeToPool: {
      meta: { source: src('provenance: the atomic pool looked up by page_to_phys(page); a chunk goes back decrypted'), call: 'dma_free_from_pool_by_phys' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'provenance' } },
    },
    ...jggFreeTailStates(FN, 'page_address(page)'),
  },
});
