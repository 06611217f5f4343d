/**
 * dma_direct_free_pages() — kernel/dma/direct.c (facts §1.6). Same
 * structure in baseline and every v2 patch.
 *
 * Modelled oddity: the atomic pool is looked up by page_address(page); on
 * CONFIG_DMA_DIRECT_REMAP platforms the gen_pool is keyed by the vmap
 * address, so the lookup misses and a pool page falls through to
 * dma_set_encrypted() and __dma_direct_free_pages().
 */
import { baselineAt, dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { reencryptAndFreeStates } from './dma-direct-free-common.ts';

export const dmaDirectFreePages = dmaSetup.createMachine({
  id: 'dma_direct_free_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: baselineAt(383, 'dma_direct_free_pages', 'vaddr = page_address(page); atomic pool configured?') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'freeToPool' }, { target: 'encrypting' }],
    },
    freeToPool: {
      meta: { source: baselineAt(384, 'dma_direct_free_pages', 'dma_free_from_pool(dev, vaddr, size) (gen_pool lookup by virtual address)'), call: 'dma_free_from_pool', arg: 'page_address' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'encrypting' } },
    },
    ...reencryptAndFreeStates('dma_direct_free_pages', { encrypt: 387, free: 389 }, 'vaddr', 'page'),
  },
});
