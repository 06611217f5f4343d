/**
 * dma_direct_free_pages() — kernel/dma/direct.c (facts §1.6). Same
 * structure in baseline and every v2 patch.
 *
 * Modelled oddity: the atomic pool is looked up by page_address(page); on
 * CONFIG_DMA_DIRECT_REMAP platforms the gen_pool is keyed by the vmap
 * address, so the lookup misses and a pool page falls through to
 * dma_set_encrypted() and __dma_direct_free_pages().
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const SRC = 'kernel/dma/direct.c dma_direct_free_pages()';

export const dmaDirectFreePages = dmaSetup.createMachine({
  id: 'dma_direct_free_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: `${SRC}: vaddr = page_address(page); atomic pool configured?` } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'freeToPool' }, { target: 'encrypting' }],
    },
    freeToPool: {
      meta: { source: `${SRC}: dma_free_from_pool(dev, vaddr, size) (gen_pool lookup by virtual address)`, call: 'dma_free_from_pool', arg: 'page_address' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'encrypting' } },
    },
    encrypting: {
      meta: { source: `${SRC}: dma_set_encrypted(dev, vaddr, size) (early return 0 unless the guard holds)` } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryEncrypted' }, { target: 'freePages' }],
    },
    setMemoryEncrypted: {
      meta: { source: `${SRC}: dma_set_encrypted() -> set_memory_encrypted(); failure -> return (leak)`, call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freePages' }, SET_ENCRYPTED_FAILED: { target: 'leaked' } },
    },
    freePages: {
      meta: { source: `${SRC}: __dma_direct_free_pages(dev, page, size)`, call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returned' } },
    },
    leaked: {
      type: 'final',
      meta: { source: `${SRC}: re-encryption failed: return without freeing (leak)`, returns: 'void', leak: true } satisfies StateMeta,
    },
    returned: {
      type: 'final',
      meta: { source: `${SRC}: return`, returns: 'void' } satisfies StateMeta,
    },
  },
});
