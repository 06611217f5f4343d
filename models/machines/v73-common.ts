/**
 * Pieces of kernel/dma/direct.c as merged for v7.3 (the CC_SHARED series,
 * direct.c at 63e62b63e853, "rename ret to cpu_addr") that several v7.3
 * entry points share because the C shares them: the static helpers
 * dma_direct_alloc_from_pool() and __dma_direct_alloc_pages(), and the tail
 * both frees end in (mark_mem_encrypted -> set_memory_encrypted(), then
 * swiotlb_free_from_pool() or dma_free_contiguous()).
 *
 * Every `meta.source` is `file:line @commit function(): what`, so a reviewer
 * can open direct.c at that commit and line.
 */
import { DMA_SET_ENCRYPTED_WARN, type StateMeta } from './dma-setup.ts';
import { directAllocPagesStates } from './direct-alloc-pages-states.ts';

/** The commit every v7.3 direct.c line number refers to. */
export const V73_DIRECT = '63e62b63';

/** `kernel/dma/direct.c:<line> @63e62b63 <fn>(): <what>` */
export function at(line: number, fn: string, what: string): string {
  return `kernel/dma/direct.c:${line} @${V73_DIRECT} ${fn}(): ${what}`;
}

/**
 * The v7.3 attrs prologue of an alloc: `if (force_dma_unencrypted(dev))
 * attrs |= __DMA_ATTR_ALLOC_CC_SHARED` at `line`, then `next`.
 */
export function ccSharedPrologue(line: number, fn: string, next: string) {
  return {
    start: {
      meta: { source: at(line, fn, 'if (force_dma_unencrypted(dev)) attrs |= __DMA_ATTR_ALLOC_CC_SHARED') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: next }, { target: next }],
    },
  } as const;
}

/**
 * dma_direct_alloc_from_pool() (direct.c:162-180): no encryption work of
 * its own (the pool was set up shared or not: pool.c, `cc_shared`); it
 * returns the pool page and hands the CPU address back through `cpu_addr`.
 * `returned` is the caller's final state for success.
 */
export function v73AllocFromPoolStates(returned: string, returnNull: string) {
  const fn = 'dma_direct_alloc_from_pool';
  return {
    fromPool: {
      meta: { source: at(169, fn, 'if (WARN_ON_ONCE(!IS_ENABLED(CONFIG_DMA_COHERENT_POOL)))') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'poolAlloc' }, { target: 'noCoherentPool' }],
    },
    noCoherentPool: {
      type: 'final',
      meta: { source: at(170, fn, 'return NULL'), returns: 'null', warn: 'atomic allocation without CONFIG_DMA_COHERENT_POOL' } satisfies StateMeta,
    },
    poolAlloc: {
      // kernel/dma/pool.c dma_alloc_from_pool(): pools whose cc_shared differs from the attrs are skipped; WARN and NULL when none fits.
      meta: { source: at(173, fn, 'page = dma_alloc_from_pool(dev, size, cpu_addr, gfp, attrs, dma_coherent_ok)'), call: 'dma_alloc_from_pool' } satisfies StateMeta,
      on: { POOL_ALLOC_OK: { target: 'poolHandOut' }, POOL_ALLOC_FAILED: { target: returnNull } },
    },
    poolHandOut: {
      meta: { source: at(177, fn, '*dma_handle = phys_to_dma_direct(dev, page_to_phys(page), attrs & __DMA_ATTR_ALLOC_CC_SHARED)') } satisfies StateMeta,
      always: [
        { guard: 'ccShared', actions: 'usePhysToDmaUnencrypted', target: returned },
        { target: returned },
      ],
    },
  } as const;
}

/**
 * __dma_direct_alloc_pages() at v7.3 (direct.c:117-151): CMA, then the
 * buddy allocator; swiotlb is no longer inside it (the callers try the
 * restricted pool first). `prefix` as in direct-alloc-pages-states.ts.
 */
export function v73DirectAllocPagesStates(prefix: string, onPage: string, onNoPage: string, allowHighmem: true | false | 'allowHighmemUnshared') {
  const fn = '__dma_direct_alloc_pages';
  return directAllocPagesStates({
    prefix, onPage, onNoPage, allowHighmem, restrictedPoolBranch: false,
    source: {
      entry: at(126, fn, 'gfp |= dma_direct_optimal_gfp_mask(dev, &phys_limit)'),
      cma: at(127, fn, 'page = dma_alloc_contiguous(dev, size, gfp); kept if dma_coherent_ok() && (allow_highmem || !PageHighMem(page))'),
      cmaRelease: at(133, fn, 'dma_free_contiguous(dev, page, size); fall back to the buddy allocator'),
      buddy: at(136, fn, 'alloc_pages_node() loop (ABSTRACTION: the first page satisfies dma_coherent_ok(), no zone retry)'),
    },
  });
}

/**
 * The tail of both v7.3 frees: `if (mark_mem_encrypted)` re-encrypt the
 * linear alias (failure: warn and return, the page leaks), then
 * `if (swiotlb_pool) swiotlb_free_from_pool() else dma_free_contiguous()`.
 * `lines` are the positions of those statements in the function `fn`.
 */
export function v73FreeTailStates(fn: string, lines: { readonly encrypt: number; readonly leak: number; readonly split: number; readonly toPool: number; readonly contiguous: number }, encryptText: string) {
  return {
    encryptCheck: {
      meta: { source: at(lines.encrypt, fn, 'if (mark_mem_encrypted)') } satisfies StateMeta,
      always: [{ guard: 'markMem', target: 'setMemoryEncrypted' }, { target: 'freeSplit' }],
    },
    setMemoryEncrypted: {
      meta: { source: at(lines.encrypt, fn, `${encryptText}; failure -> return (the page leaks)`), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freeSplit' }, SET_ENCRYPTED_FAILED: { target: 'leaked' } },
    },
    freeSplit: {
      meta: { source: at(lines.split, fn, 'if (swiotlb_pool)') } satisfies StateMeta,
      always: [{ guard: 'swiotlbPoolFound', target: 'swiotlbFreeFromPool' }, { target: 'freeContiguous' }],
    },
    swiotlbFreeFromPool: {
      meta: { source: at(lines.toPool, fn, 'swiotlb_free_from_pool(dev, phys, swiotlb_pool)'), call: 'swiotlb_free_from_pool' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returned' } },
    },
    freeContiguous: {
      meta: { source: at(lines.contiguous, fn, 'dma_free_contiguous(dev, page, size)'), call: 'dma_free_contiguous' } satisfies StateMeta,
      on: { CMA_RELEASED: { target: 'returned' } },
    },
    leaked: {
      type: 'final',
      meta: { source: at(lines.leak, fn, 'pr_warn_ratelimited(), return: the page is never freed'), returns: 'void', leak: true, warn: DMA_SET_ENCRYPTED_WARN } satisfies StateMeta,
    },
    returned: {
      type: 'final',
      meta: { source: at(lines.contiguous + 1, fn, 'return'), returns: 'void' } satisfies StateMeta,
    },
  } as const;
}

/** The state that asks swiotlb_find_pool(dev, phys) at `line` and goes on to `next`. */
export function v73FindPoolState(line: number, fn: string, next: string) {
  return {
    findSwiotlbPool: {
      meta: { source: at(line, fn, 'swiotlb_pool = swiotlb_find_pool(dev, phys); if found, mark_mem_encrypted = false'), call: 'swiotlb_find_pool' } satisfies StateMeta,
      on: { SWIOTLB_POOL_FOUND: { target: next, actions: 'noteSwiotlbPool' }, NOT_IN_SWIOTLB_POOL: { target: next } },
    },
  } as const;
}
