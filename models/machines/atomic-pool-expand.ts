/**
 * atomic_pool_expand() — kernel/dma/pool.c before the CC_SHARED series (the
 * blob 2b2fbb70 that "dma-pool: fix page leak in atomic_pool_expand()
 * cleanup" applies to), run by the pool's worker (atomic_pool_work_fn(),
 * pool.c:151) when a pool runs low, and by __dma_atomic_pool_init() at boot.
 * The same in baseline, every v2 patch (the RFC touches only direct.c) and
 * the jgg-flags design.
 *
 * Modelled oddities, each on one error path:
 * - set_memory_decrypted() fails: under DMA_DIRECT_REMAP the page, maybe
 *   partly shared, goes back to the page allocator (remove_mapping then
 *   free_page); without it the free lines sit inside the #ifdef, so the
 *   page leaks.
 * - gen_pool_add_virt() fails: `ret` is overwritten by the re-encryption's
 *   result, so after a successful re-encrypt the function returns 0 with
 *   nothing added; without DMA_DIRECT_REMAP the re-encrypted page leaks.
 *
 * ABSTRACTION: one expansion of one page per run (the order loop of
 * pool.c:90-97 takes its first page or none; CMA and the buddy allocator
 * are one source); the worker may run at any time, not only after an
 * allocation left the pool below atomic_pool_size; boot and worker
 * expansions are the same step (a failed boot expansion leaves no pool,
 * which dma_alloc_from_pool()'s failure outcome already covers).
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

/** baseline kernel/dma/pool.c, by blob (reconstructed: torvalds 0510cb5b with v7 02/22 reverse-applied) */
const P = (line: number, what: string) => `kernel/dma/pool.c:${line} @blob-2b2fbb70 atomic_pool_expand(): ${what}`;

export const atomicPoolExpand = dmaSetup.createMachine({
  id: 'atomic_pool_expand',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: P(90, 'page = dma_alloc_from_contiguous() or alloc_pages(gfp | __GFP_NOWARN, order)'), call: 'alloc_pages' } satisfies StateMeta,
      on: {
        BUDDY_PAGE: [{ guard: 'dmaDirectRemapConfigured', actions: 'usePgprotDecrypted', target: 'remapping' }, { target: 'setMemoryDecrypted' }],
        BUDDY_FAILED: { target: 'out' },
      },
    },
    remapping: {
      meta: { source: P(104, 'addr = dma_common_contiguous_remap(page, pool_size, pgprot_decrypted(pgprot_dmacoherent(PAGE_KERNEL)))'), call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: 'setMemoryDecrypted' }, REMAP_FAILED: { target: 'freePage' } },
    },
    setMemoryDecrypted: {
      meta: { source: P(116, 'ret = set_memory_decrypted(page_to_virt(page), 1 << order)'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: {
        SET_DECRYPTED_OK: { target: 'genPoolAddVirt' },
        SET_DECRYPTED_FAILED: [{ guard: 'dmaDirectRemapConfigured', target: 'removeMapping' }, { target: 'leakedAfterFailedDecrypt' }],
      },
    },
    genPoolAddVirt: {
      meta: { source: P(120, 'ret = gen_pool_add_virt(pool, addr, page_to_phys(page), pool_size)'), call: 'gen_pool_add_virt' } satisfies StateMeta,
      on: { POOL_ADDED: { target: 'added' }, POOL_ADD_FAILED: { target: 'encryptMapping' } },
    },
    encryptMapping: {
      meta: { source: P(129, 'encrypt_mapping: ret = set_memory_encrypted(page_to_virt(page), 1 << order) (overwrites the gen_pool error)'), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: {
        SET_ENCRYPTED_OK: [{ guard: 'dmaDirectRemapConfigured', target: 'removeMapping' }, { target: 'leakedAfterReencrypt' }],
        SET_ENCRYPTED_FAILED: { target: 'leakedAfterFailedEncrypt' },
      },
    },
    removeMapping: {
      meta: { source: P(137, 'remove_mapping: dma_common_free_remap(addr, pool_size)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'freePage' } },
    },
    freePage: {
      meta: { source: P(139, 'free_page: __free_pages(page, order) (whatever set_memory_decrypted() left it in)'), call: '__free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'out' } },
    },
    added: {
      type: 'final',
      meta: { source: P(125, 'dma_atomic_pool_size_add(); return 0 (the page is a pool chunk)'), returns: 'status' } satisfies StateMeta,
    },
    out: {
      type: 'final',
      meta: { source: P(142, 'out: return ret'), returns: 'status' } satisfies StateMeta,
    },
    leakedAfterFailedDecrypt: {
      type: 'final',
      meta: { source: P(140, 'remove_mapping without CONFIG_DMA_DIRECT_REMAP: the free is inside the #ifdef, the page leaks; return ret'), returns: 'status', leak: true } satisfies StateMeta,
    },
    leakedAfterReencrypt: {
      type: 'final',
      meta: { source: P(140, 're-encrypted, but without CONFIG_DMA_DIRECT_REMAP the free is inside the #ifdef: the page leaks and ret (now 0) is returned'), returns: 'status', leak: true } satisfies StateMeta,
    },
    leakedAfterFailedEncrypt: {
      type: 'final',
      meta: { source: P(131, 'WARN_ON_ONCE(ret): decrypt succeeded but encrypt failed, purposely leak; goto out'), returns: 'status', leak: true, warn: 'WARN_ON_ONCE in atomic_pool_expand()' } satisfies StateMeta,
    },
  },
});
