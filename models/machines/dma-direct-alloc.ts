/**
 * dma_direct_alloc() — kernel/dma/direct.c, BASELINE structure (upstream
 * before the v2 series; facts §1.3). Also used by v2-p1 and v2-p2, which
 * only change guards.
 *
 * Models: the DMA_ATTR_NO_KERNEL_MAPPING shortcut, the non-coherent
 * strategy choice, the atomic-pool diversion, __dma_direct_alloc_pages(),
 * the remap and linear paths, set_uncached, and the error labels
 * out_encrypt_pages / out_free_pages / out_leak_pages with their page fate.
 *
 * ABSTRACTION: step 3a (CONFIG_ARCH_HAS_DMA_ALLOC -> arch_dma_alloc) and
 * step 3b (CONFIG_DMA_GLOBAL_POOL) hand the allocation to arch code with no
 * encryption logic; no modelled platform selects them, so they are dropped.
 * ABSTRACTION: arch_dma_prep_coherent() and memset() have no effect on
 * encryption state and are folded into the neighbouring states.
 */
import { DMA_SET_ENCRYPTED_WARN, dmaSetup, initialContext, type StateMeta, baselineAt } from './dma-setup.ts';
import { allocPagesEntry, directAllocPagesStates } from './direct-alloc-pages-states.ts';
import { allocEpilogueStates } from './dma-direct-alloc-common.ts';

export const dmaDirectAlloc = dmaSetup.createMachine({
  id: 'dma_direct_alloc',
  initial: 'start',
  context: initialContext,
  states: {
    ...allocEpilogueStates(),
    ...(directAllocPagesStates({ prefix: 'noMapping', onPage: 'noMappingHandOut', onNoPage: 'returnNull', allowHighmem: true, restrictedPoolBranch: false }) as {}),
    // allow_highmem is the literal true in this structure: a highmem CMA page is always kept.
    ...(directAllocPagesStates({ prefix: '', onPage: 'gotPage', onNoPage: 'returnNull', allowHighmem: true }) as {}),
    gotPage: {
      meta: { source: baselineAt(263, 'dma_direct_alloc', 'after __dma_direct_alloc_pages(); PageHighMem(page) forces remap') } satisfies StateMeta,
      always: [
        { guard: 'pageIsHighmem', actions: 'highmemForcesRemap', target: 'remapSplit' },
        { target: 'remapSplit' },
      ],
    },
    remapSplit: {
      meta: { source: baselineAt(268, 'dma_direct_alloc', 'if (remap) { ... } else { ret = page_address(page); dma_set_decrypted() }') } satisfies StateMeta,
      always: [{ guard: 'remapNeeded', target: 'remapProt' }, { target: 'decrypting' }],
    },
    remapProt: {
      meta: { source: baselineAt(271, 'dma_direct_alloc', 'prot = dma_pgprot(); pgprot_decrypted(prot) if force_dma_unencrypted(dev)') } satisfies StateMeta,
      always: [
        { guard: 'remapProtDecrypted', actions: 'usePgprotDecrypted', target: 'remapping' },
        { target: 'remapping' },
      ],
    },
    remapping: {
      // No set_memory_decrypted() on this path at baseline, even when force_dma_unencrypted(dev).
      meta: { source: baselineAt(278, 'dma_direct_alloc', 'ret = dma_common_contiguous_remap(page, size, prot, ...); NULL -> goto out_free_pages'), call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: 'clearing' }, REMAP_FAILED: { target: 'outFreePages' } },
    },
    decrypting: {
      meta: { source: baselineAt(284, 'dma_direct_alloc', 'linear path: dma_set_decrypted(dev, ret, size) (early return 0 unless the guard holds)') } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryDecrypted' }, { target: 'clearing' }],
    },
    setMemoryDecrypted: {
      meta: { source: baselineAt(284, 'dma_direct_alloc', 'dma_set_decrypted() -> set_memory_decrypted(page_address(page)); failure -> goto out_leak_pages'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'clearing' }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    outEncryptPages: {
      meta: { source: baselineAt(301, 'dma_direct_alloc', 'out_encrypt_pages: dma_set_encrypted(dev, page_address(page), size)') } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryEncrypted' }, { target: 'outFreePages' }],
    },
    setMemoryEncrypted: {
      meta: { source: baselineAt(301, 'dma_direct_alloc', 'out_encrypt_pages: set_memory_encrypted(); failure -> return NULL (pages leaked)'), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'outFreePages' }, SET_ENCRYPTED_FAILED: { target: 'leakAfterFailedEncrypt' } },
    },
    outFreePages: {
      meta: { source: baselineAt(304, 'dma_direct_alloc', 'out_free_pages: __dma_direct_free_pages() (swiotlb_free or dma_free_contiguous)'), call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returnNull' } },
    },
    leakAfterFailedEncrypt: {
      type: 'final',
      meta: { source: baselineAt(302, 'dma_direct_alloc', 'out_encrypt_pages: re-encryption failed, return NULL without freeing'), returns: 'null', leak: true, warn: DMA_SET_ENCRYPTED_WARN } satisfies StateMeta,
    },
  },
});

export { allocPagesEntry };
