/**
 * `__dma_direct_alloc_pages(dev, size, gfp, allow_highmem)` (facts §1.2),
 * as a block of states that an entry point machine splices in. The caller
 * names where a page (`onPage`) or no page (`onNoPage`) leads and what
 * allow_highmem is: a literal or the `allowHighmem` guard.
 *
 * ABSTRACTION: every allocation is one page and every page satisfies
 * dma_coherent_ok(), so the GFP_DMA32/GFP_DMA zone-widening retry loop is
 * dropped (the pages it frees were never decrypted), and so are the
 * swiotlb_free() / CMA release of a page that fails it. dma_coherent_ok()
 * reads phys_to_dma_direct(), which v2-p2 changes for a restricted-pool
 * device: the model cannot show p2 turning an allocation of a device with
 * a small mask into NULL. Lowmem CMA pages are
 * modelled as buddy pages; only a highmem CMA area (32-bit) is separate,
 * because it decides allow_highmem.
 */
import { baselineAt, type StateMeta } from './dma-setup.ts';

const FN = '__dma_direct_alloc_pages';

export interface AllocPagesBlock {
  /** state-name prefix, '' for the main allocation of the entry point */
  readonly prefix: string;
  readonly onPage: string;
  readonly onNoPage: string;
  /** a literal, or the guard that decides it */
  readonly allowHighmem: true | false | 'allowHighmem' | 'allowHighmemUnshared';
  /**
   * Whether the is_swiotlb_for_alloc() branch exists for this caller. The
   * NO_KERNEL_MAPPING shortcut is taken only for devices without a
   * restricted pool (in every modelled version), so there it is dead code
   * and is left out.
   */
  readonly restrictedPoolBranch?: boolean;
  /** each state's meta.source, where the caller's version gives file:line positions (default: function-level text) */
  readonly source?: Partial<Record<'entry' | 'swiotlb' | 'cma' | 'cmaRelease' | 'buddy', string>>;
}

function name(prefix: string, base: string): string {
  return prefix === '' ? base : prefix + base[0]!.toUpperCase() + base.slice(1);
}

/** Name of the block's entry state. */
export function allocPagesEntry(prefix: string): string {
  return name(prefix, 'directAllocPages');
}

/** The states of the block, keyed by state name. */
export function directAllocPagesStates(b: AllocPagesBlock): Record<string, object> {
  const n = (base: string) => name(b.prefix, base);
  const highmemAccepted = { target: b.onPage, actions: 'markPageHighmem' };
  const highmemRejected = { target: n('cmaRelease') };
  const withPool = b.restrictedPoolBranch !== false;
  const onHighmem =
    b.allowHighmem === true ? highmemAccepted
      : b.allowHighmem === false ? highmemRejected
        : [{ guard: b.allowHighmem, ...highmemAccepted }, highmemRejected];
  const src = b.source ?? {};
  return {
    [n('directAllocPages')]: {
      meta: { source: src.entry ?? baselineAt(128, FN, 'entry; restricted pool first, then CMA, then the buddy allocator') } satisfies StateMeta,
      always: [
        ...(withPool ? [{ guard: 'isSwiotlbForAlloc', target: n('swiotlbAlloc') }] : []),
        { guard: 'highmemCmaConfigured', target: n('cmaAlloc') },
        { target: n('buddyAlloc') },
      ],
    },
    ...(withPool ? { [n('swiotlbAlloc')]: {
      meta: {
        source: src.swiotlb ?? baselineAt(129, FN, 'is_swiotlb_for_alloc(dev) -> dma_direct_alloc_swiotlb() -> swiotlb_alloc(); no fallback'),
        call: 'swiotlb_alloc',
      } satisfies StateMeta,
      on: { SWIOTLB_ALLOC_OK: { target: b.onPage }, SWIOTLB_ALLOC_FAILED: { target: b.onNoPage } },
    } } : {}),
    [n('cmaAlloc')]: {
      meta: { source: src.cma ?? baselineAt(132, FN, 'dma_alloc_contiguous() (CMA), kept if dma_coherent_ok() && (allow_highmem || !PageHighMem(page))'), call: 'dma_alloc_contiguous' } satisfies StateMeta,
      on: { CMA_HIGHMEM_PAGE: onHighmem, CMA_NONE: { target: n('buddyAlloc') } },
    },
    // With allow_highmem == true a highmem page is always kept: no release state.
    ...(b.allowHighmem === true ? {} : {
      [n('cmaRelease')]: {
        meta: { source: src.cmaRelease ?? baselineAt(138, FN, 'highmem CMA page not allowed -> dma_free_contiguous(), fall back to the buddy allocator'), call: 'dma_free_contiguous' } satisfies StateMeta,
        on: { CMA_RELEASED: { target: n('buddyAlloc') } },
      },
    }),
    [n('buddyAlloc')]: {
      meta: { source: src.buddy ?? baselineAt(141, FN, 'alloc_pages_node() loop (ABSTRACTION: first page fits the mask)'), call: 'alloc_pages_node' } satisfies StateMeta,
      on: { BUDDY_PAGE: { target: b.onPage }, BUDDY_FAILED: { target: b.onNoPage } },
    },
  };
}
