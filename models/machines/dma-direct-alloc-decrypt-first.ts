/**
 * dma_direct_alloc() — kernel/dma/direct.c after v2 patch 3 "Decrypt memory
 * on remap" (facts §2, patch 3). Used by v2-p3, v2-p4 and v2-p3-without-p1.
 *
 * Structure change from baseline: dma_set_decrypted() on the linear alias
 * (page_address(page)) moves before the `if (remap)` split, so the remap,
 * linear and set_uncached paths all decrypt; a failed remap now goes to
 * out_encrypt_pages; the out_free_pages label is gone and out_encrypt_pages
 * falls straight through to __dma_direct_free_pages(). allow_highmem is the
 * `allowHighmem` guard (!force_dma_unencrypted at p3).
 *
 * ABSTRACTION: as in dma-direct-alloc.ts (arch_dma_alloc, global pool,
 * arch_dma_prep_coherent, memset).
 */
import { DMA_SET_ENCRYPTED_WARN, dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { directAllocPagesStates } from './direct-alloc-pages-states.ts';
import { allocEpilogueStates, SRC } from './dma-direct-alloc-common.ts';

export const dmaDirectAllocDecryptFirst = dmaSetup.createMachine({
  id: 'dma_direct_alloc',
  initial: 'start',
  context: initialContext,
  states: {
    ...allocEpilogueStates(),
    ...(directAllocPagesStates({ prefix: 'noMapping', onPage: 'noMappingHandOut', onNoPage: 'returnNull', allowHighmem: true, restrictedPoolBranch: false }) as {}),
    ...(directAllocPagesStates({ prefix: '', onPage: 'gotPage', onNoPage: 'returnNull', allowHighmem: 'allowHighmem' }) as {}),
    gotPage: {
      meta: { source: `${SRC}: after __dma_direct_alloc_pages(dev, size, gfp, allow_highmem); PageHighMem(page) forces remap` } satisfies StateMeta,
      always: [
        { guard: 'pageIsHighmem', actions: 'highmemForcesRemap', target: 'decrypting' },
        { target: 'decrypting' },
      ],
    },
    decrypting: {
      meta: { source: `${SRC}: dma_set_decrypted(dev, page_address(page), size) before the remap split` } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryDecrypted' }, { target: 'remapSplit' }],
    },
    setMemoryDecrypted: {
      meta: { source: `${SRC}: dma_set_decrypted() -> set_memory_decrypted(page_address(page)); failure -> goto out_leak_pages`, call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'remapSplit' }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    remapSplit: {
      meta: { source: `${SRC}: if (remap) { remap } else { ret = page_address(page) }` } satisfies StateMeta,
      always: [{ guard: 'remapNeeded', target: 'remapProt' }, { target: 'clearing' }],
    },
    remapProt: {
      meta: { source: `${SRC}: prot = dma_pgprot(); pgprot_decrypted(prot) when the guard holds` } satisfies StateMeta,
      always: [
        { guard: 'remapProtDecrypted', actions: 'usePgprotDecrypted', target: 'remapping' },
        { target: 'remapping' },
      ],
    },
    remapping: {
      meta: { source: `${SRC}: ret = dma_common_contiguous_remap(...); NULL -> goto out_encrypt_pages`, call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: 'clearing' }, REMAP_FAILED: { target: 'outEncryptPages' } },
    },
    outEncryptPages: {
      meta: { source: `${SRC}: out_encrypt_pages: dma_set_encrypted(dev, page_address(page), size)` } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryEncrypted' }, { target: 'freePages' }],
    },
    setMemoryEncrypted: {
      meta: { source: `${SRC}: out_encrypt_pages: set_memory_encrypted(); failure -> return NULL (pages leaked)`, call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freePages' }, SET_ENCRYPTED_FAILED: { target: 'leakAfterFailedEncrypt' } },
    },
    freePages: {
      meta: { source: `${SRC}: out_encrypt_pages falls through to __dma_direct_free_pages()`, call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returnNull' } },
    },
    leakAfterFailedEncrypt: {
      type: 'final',
      meta: { source: `${SRC}: out_encrypt_pages: re-encryption failed, return NULL without freeing`, returns: 'null', leak: true, warn: DMA_SET_ENCRYPTED_WARN } satisfies StateMeta,
    },
  },
});
