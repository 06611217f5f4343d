/**
 * atomic_pool_expand() — kernel/dma/pool.c at v7.3 (8277a12d), run by the
 * pool's worker (atomic_pool_work_fn(), pool.c:167) when a pool runs low,
 * and by __dma_atomic_pool_init() at boot. The pool's `cc_shared` (from
 * cc_platform_has(CC_ATTR_MEM_ENCRYPT), pool.c:190-193) decides the vmap
 * prot and whether the page is decrypted at all; every error path frees
 * the page unless a set_memory_*() call on it failed (`leak_pages`), and
 * the gen_pool error is returned.
 *
 * ABSTRACTION: as in the baseline machine (models/machines/atomic-pool-expand.ts):
 * one expansion of one page per run, at any time, boot and worker alike.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const P = (line: number, what: string) => `kernel/dma/pool.c:${line} @8277a12d atomic_pool_expand(): ${what}`;

export const v73AtomicPoolExpand = dmaSetup.createMachine({
  id: 'atomic_pool_expand',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: P(98, 'page = dma_alloc_from_contiguous() or alloc_pages(gfp | __GFP_NOWARN, order)'), call: 'alloc_pages' } satisfies StateMeta,
      on: {
        BUDDY_PAGE: [
          { guard: 'dmaDirectRemapConfigured', target: 'choosingProt' },
          { target: 'checkingShared' },
        ],
        BUDDY_FAILED: { target: 'out' },
      },
    },
    choosingProt: {
      meta: { source: P(112, 'prot = pgprot_decrypted(...) if dma_pool->cc_shared, else pgprot_dmacoherent(PAGE_KERNEL)') } satisfies StateMeta,
      always: [{ guard: 'poolCcShared', actions: 'usePgprotDecrypted', target: 'remapping' }, { target: 'remapping' }],
    },
    remapping: {
      meta: { source: P(117, 'addr = dma_common_contiguous_remap(page, pool_size, prot)'), call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: 'checkingShared' }, REMAP_FAILED: { target: 'freePage' } },
    },
    checkingShared: {
      meta: { source: P(128, 'if (dma_pool->cc_shared)') } satisfies StateMeta,
      always: [{ guard: 'poolCcShared', target: 'setMemoryDecrypted' }, { target: 'genPoolAddVirt' }],
    },
    setMemoryDecrypted: {
      meta: { source: P(129, 'ret = set_memory_decrypted(page_to_virt(page), 1 << order)'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: {
        SET_DECRYPTED_OK: { target: 'genPoolAddVirt' },
        SET_DECRYPTED_FAILED: [{ guard: 'dmaDirectRemapConfigured', target: 'removeMappingThenLeak' }, { target: 'leakedAfterFailedDecrypt' }],
      },
    },
    genPoolAddVirt: {
      meta: { source: P(137, 'ret = gen_pool_add_virt(dma_pool->pool, addr, page_to_phys(page), pool_size)'), call: 'gen_pool_add_virt' } satisfies StateMeta,
      on: { POOL_ADDED: { target: 'added' }, POOL_ADD_FAILED: { target: 'encryptMapping' } },
    },
    encryptMapping: {
      meta: { source: P(146, 'encrypt_mapping: if (dma_pool->cc_shared) re-encrypt') } satisfies StateMeta,
      always: [{ guard: 'poolCcShared', target: 'setMemoryEncrypted' }, { guard: 'dmaDirectRemapConfigured', target: 'removeMapping' }, { target: 'freePage' }],
    },
    setMemoryEncrypted: {
      meta: { source: P(147, 'set_memory_encrypted(page_to_virt(page), 1 << order) (its result does not touch ret)'), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: {
        SET_ENCRYPTED_OK: [{ guard: 'dmaDirectRemapConfigured', target: 'removeMapping' }, { target: 'freePage' }],
        SET_ENCRYPTED_FAILED: [{ guard: 'dmaDirectRemapConfigured', target: 'removeMappingThenLeak' }, { target: 'leakedAfterFailedEncrypt' }],
      },
    },
    removeMapping: {
      meta: { source: P(152, 'remove_mapping: dma_common_free_remap(addr, pool_size)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'freePage' } },
    },
    removeMappingThenLeak: {
      meta: { source: P(152, 'remove_mapping: dma_common_free_remap(addr, pool_size) (leak_pages is true)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'leakedAfterFailedCall' } },
    },
    freePage: {
      meta: { source: P(156, 'if (!leak_pages) __free_pages(page, order)'), call: '__free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'out' } },
    },
    added: {
      type: 'final',
      meta: { source: P(142, 'dma_atomic_pool_size_add(); return 0 (the page is a pool chunk)'), returns: 'status' } satisfies StateMeta,
    },
    out: {
      type: 'final',
      meta: { source: P(158, 'out: return ret (-ENOMEM, or the gen_pool error)'), returns: 'status' } satisfies StateMeta,
    },
    leakedAfterFailedDecrypt: {
      type: 'final',
      meta: { source: P(132, 'leak_pages = true; goto remove_mapping: nothing to unmap without CONFIG_DMA_DIRECT_REMAP, the page leaks; return ret'), returns: 'status', leak: true } satisfies StateMeta,
    },
    leakedAfterFailedEncrypt: {
      type: 'final',
      meta: { source: P(148, 'leak_pages = true: the page leaks; return the gen_pool error'), returns: 'status', leak: true } satisfies StateMeta,
    },
    leakedAfterFailedCall: {
      type: 'final',
      meta: { source: P(155, 'leak_pages: the page is not freed; return ret'), returns: 'status', leak: true } satisfies StateMeta,
    },
  },
});
