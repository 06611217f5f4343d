/**
 * What every `jgg-flags` machine shares: the thread messages the design
 * comes from, how the flag is represented, and the backing allocation
 * that returns a page together with its flag.
 *
 * The design (facts §3; Jason Gunthorpe's replies to the v2 series,
 * 2026-03-30): the encryption state of memory travels with its phys as a
 * flag (ENC or DEC) that the allocator that produced the memory sets; the
 * device is asked one question only, whether it can DMA from encrypted
 * memory (`dev_can_dma_from_encrypted(dev)`, which is
 * `!force_dma_unencrypted(dev)`: the one place force_dma_unencrypted()
 * appears); the prot of an alias and the encoding of a DMA address are pure
 * functions of the flag; dma-direct re-encrypts on free only memory whose
 * state it changed itself.
 *
 * ABSTRACTION: the model keeps the flag in the two locals it determines:
 * `protDecrypted` (pgprot_decrypted() is applied) and `dmaUnencrypted`
 * (phys_to_dma_unencrypted() is used). FLAG_DECRYPTED sets both; a machine
 * never sets one without the other. Whether dma-direct owns the transition
 * (owned_transition) is the control state: only the states reached through
 * a successful set_memory_decrypted() re-encrypt on an error path.
 * ABSTRACTION: the guard `forceDmaUnencrypted` is the device question: it
 * holds exactly when !dev_can_dma_from_encrypted(dev).
 * FIXME(soundness): the free recovers the flag of a buddy/CMA page from
 * `forceDmaUnencrypted` asked at free time, where the design carries the
 * flag from the allocation; a driver that changes its DMA mask in between
 * (dma_set_coherent_mask on the SME host) makes the model's free disagree
 * with the design, so its verdicts on the mask programs are not the design's.
 */
import { encryptThenFreeStates, type StateMeta } from './dma-setup.ts';
import { swiotlbMapStates } from './swiotlb-map-states.ts';

/** The messages of the seed thread the design comes from (shared/kernel/seed-thread-dma-mapping-fixes-v2.txt). */
export const JGG_MSG = {
  /** reply to 1/5: "If dma_direct_alloc_swiotlb() can return decrypted or encrypted memory it needs to return a flag saying that" */
  flagFromAllocator: 'Jason Gunthorpe, Re: [RFC PATCH v2 1/5], 2026-03-30 15:06',
  /** reply to 2/5: "if (flags & FLAG_DECRYPTED) return phys_to_dma_unencrypted(dev, phys);" */
  encodingFromFlag: 'Jason Gunthorpe, Re: [RFC PATCH v2 2/5], 2026-03-30 15:09',
  /** reply to 3/5: the alloc sketch; "The one place we should see a force_dma_unencrypted() is directly before setting the flag." */
  allocSketch: 'Jason Gunthorpe, Re: [RFC PATCH v2 3/5], 2026-03-30 15:19',
  /** reply to 4/5: only dev_can_dma_from_encrypted / _unencrypted; the restricted map flow through swiotlb */
  twoQuestions: 'Jason Gunthorpe, Re: [RFC PATCH v2 4/5], 2026-03-30 15:27',
  /** "a flag pass along the phys, or phys & flag in a struct" */
  flagWithPhys: 'Jason Gunthorpe, Re: [RFC PATCH v2 2/5], 2026-03-30 22:28',
  /** "a very small number of places that recover the phys & flag through some convoluted logic" */
  recoverFlag: 'Jason Gunthorpe, Re: [RFC PATCH v2 3/5], 2026-03-30 22:30',
} as const;

/** A state's source text: the function of the proposal, what the state does, and the message it mirrors. */
export function jggSource(fn: string, what: string, msg: keyof typeof JGG_MSG): string {
  return `jgg-flags ${fn}: ${what} (mirrors the proposal in ${JGG_MSG[msg]})`;
}

/** flags = FLAG_DECRYPTED: the prot and the DMA encoding follow the flag. */
export const SET_FLAG_DECRYPTED = ['usePgprotDecrypted', 'usePhysToDmaUnencrypted'] as const;

export interface BackingBlock {
  /** state-name prefix of the block */
  readonly prefix: string;
  /** the calling function, for meta.source */
  readonly fn: string;
  /** where a page whose flag is ENC (CMA, buddy) goes */
  readonly onEncrypted: string;
  /** where a page whose flag is DEC (restricted-pool slot) goes; FLAG_DECRYPTED is set on the way */
  readonly onDecrypted: string;
  readonly onNoPage: string;
  /** allow_highmem: the literal, or the `allowHighmem` guard */
  readonly allowHighmem: boolean | 'allowHighmem';
  /** whether the restricted-pool branch exists (false where the caller excludes restricted-pool devices) */
  readonly restrictedPoolBranch?: boolean;
}

/**
 * `page = __dma_direct_alloc_pages(dev, size, gfp, allow_highmem, &flags)`
 * in the proposal: the backing allocator reports the flag of what it
 * returns. A restricted-pool slot has the pool's state (always decrypted:
 * rmem_swiotlb_device_init() decrypts the pool); CMA and buddy pages are
 * encrypted. The flag reaches the machine through the outcome that
 * produced the page (SWIOTLB_ALLOC_OK vs CMA_HIGHMEM_PAGE / BUDDY_PAGE).
 *
 * ABSTRACTION: as in direct-alloc-pages-states.ts, one page per
 * allocation that always satisfies dma_coherent_ok(); lowmem CMA is buddy.
 */
export function jggBackingStates(b: BackingBlock): Record<string, object> {
  const n = (base: string) => (b.prefix === '' ? base : b.prefix + base[0]!.toUpperCase() + base.slice(1));
  const accepted = { target: b.onEncrypted, actions: 'markPageHighmem' };
  const rejected = { target: n('cmaRelease') };
  const onHighmem = b.allowHighmem === true ? accepted
    : b.allowHighmem === false ? rejected
      : [{ guard: 'allowHighmem', ...accepted }, rejected];
  const fn = `${b.fn} -> __dma_direct_alloc_pages(..., &flags)`;
  const withPool = b.restrictedPoolBranch !== false;
  return {
    [n('backing')]: {
      meta: { source: jggSource(fn, 'restricted pool first (no fallback), then CMA, then the buddy allocator; each reports the flag of its memory', 'flagFromAllocator') } satisfies StateMeta,
      always: [
        ...(withPool ? [{ guard: 'isSwiotlbForAlloc', target: n('swiotlbAlloc') }] : []),
        { guard: 'highmemCmaConfigured', target: n('cmaAlloc') },
        { target: n('buddyAlloc') },
      ],
    },
    ...(withPool ? { [n('swiotlbAlloc')]: {
      meta: { source: jggSource(fn, 'swiotlb_alloc() from the restricted pool: flags = the pool\'s state (decrypted)', 'flagFromAllocator'), call: 'swiotlb_alloc' } satisfies StateMeta,
      on: {
        SWIOTLB_ALLOC_OK: { target: b.onDecrypted, actions: [...SET_FLAG_DECRYPTED] },
        SWIOTLB_ALLOC_FAILED: { target: b.onNoPage },
      },
    } } : {}),
    [n('cmaAlloc')]: {
      meta: { source: jggSource(fn, 'dma_alloc_contiguous() (CMA): flags = ENC; a highmem page is kept only if allow_highmem', 'flagFromAllocator'), call: 'dma_alloc_contiguous' } satisfies StateMeta,
      on: { CMA_HIGHMEM_PAGE: onHighmem, CMA_NONE: { target: n('buddyAlloc') } },
    },
    ...(b.allowHighmem === true ? {} : {
      [n('cmaRelease')]: {
        meta: { source: jggSource(fn, 'highmem CMA page not allowed: dma_free_contiguous(), fall back to the buddy allocator', 'flagFromAllocator'), call: 'dma_free_contiguous' } satisfies StateMeta,
        on: { CMA_RELEASED: { target: n('buddyAlloc') } },
      },
    }),
    [n('buddyAlloc')]: {
      meta: { source: jggSource(fn, 'alloc_pages_node(): flags = ENC (ABSTRACTION: the first page fits the mask)', 'flagFromAllocator'), call: 'alloc_pages_node' } satisfies StateMeta,
      on: { BUDDY_PAGE: { target: b.onEncrypted }, BUDDY_FAILED: { target: b.onNoPage } },
    },
  };
}

/**
 * The free side every jgg-flags free shares (facts §3 "free side"): recover
 * owned_transition from provenance, re-encrypt only an owned transition
 * (a failure leaks), then give the page back. `fn` names the entry point,
 * `linearAlias` how it reaches the linear alias it re-encrypts.
 */
export function jggFreeTailStates(fn: string, linearAlias: string) {
  const src = (what: string) => jggSource(fn, what, 'recoverFlag');
  return {
    provenance: {
      meta: { source: src('owned_transition from provenance: swiotlb_find_pool(dev, phys) -> the pool\'s memory, no transition; else (CMA/buddy) flag == DEC') } satisfies StateMeta,
      always: [
        { guard: 'isSwiotlbForAlloc', target: 'freePages' },
        { guard: 'forceDmaUnencrypted', target: 'setMemoryEncrypted' },
        { target: 'freePages' },
      ],
    },
    ...encryptThenFreeStates({
      encrypt: src(`owned_transition: set_memory_encrypted(${linearAlias}); failure -> return (leak)`),
      free: src('__dma_direct_free_pages(dev, page, size): back to the restricted pool or to CMA/buddy'),
      leaked: src('re-encryption failed: return without freeing (leak)'),
      returned: src('return'),
    }),
  } as const;
}

/** dma_direct_alloc_from_pool()'s CONFIG_DMA_COHERENT_POOL gate, shared by the jgg-flags allocators; `src` names the caller. */
export function jggPoolGateStates(src: (what: string) => string) {
  return {
    fromPool: {
      meta: { source: src('dma_direct_alloc_from_pool(): IS_ENABLED(CONFIG_DMA_COHERENT_POOL)?') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'poolAlloc' }, { target: 'noCoherentPool' }],
    },
    noCoherentPool: {
      type: 'final',
      meta: { source: src('dma_direct_alloc_from_pool(): WARN_ON_ONCE(!CONFIG_DMA_COHERENT_POOL), return NULL'), returns: 'null', warn: 'atomic allocation without CONFIG_DMA_COHERENT_POOL' } satisfies StateMeta,
    },
  } as const;
}

/** The design's bounce of a streaming map through swiotlb, as both its maps have it (the slot comes back with its flag, DEC). */
export function jggBounceStates() {
  const src = (what: string, msg: keyof typeof JGG_MSG = 'twoQuestions') => jggSource('dma_direct_map_phys()', what, msg);
  return swiotlbMapStates({
    map: src('swiotlb_map(): take a slot, bounce; the slot comes back with flag DEC -> phys_to_dma_unencrypted()'),
    bounced: src('return the bounce slot\'s DMA address (flag DEC)', 'encodingFromFlag'),
    error: src('return DMA_MAPPING_ERROR'),
  });
}
