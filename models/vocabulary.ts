/**
 * The small shared vocabulary of the dma-direct models: page encryption
 * states, where a page is, what a caller holds, and the outcome events that
 * the environment answers a call with.
 *
 * Everything here is plain numbers so that a world packs into a few bytes.
 */

/** Encryption state of a page's memory (facts §5.2, appendix A). */
export const Enc = {
  /** private to the guest */
  ENC: 0,
  /** shared with the host */
  DEC: 1,
  /** a set_memory_* call failed: maybe shared, maybe unusable; must never be reused */
  UNKNOWN: 2,
} as const;
export type Enc = (typeof Enc)[keyof typeof Enc];
export const ENC_NAMES = ['ENC', 'DEC', 'UNKNOWN'] as const;

/** Attribute of an alias (vmap, user mmap) or of a DMA address handed to the device. */
export const Attr = { NONE: 0, ENC: 1, DEC: 2 } as const;
export type Attr = (typeof Attr)[keyof typeof Attr];
export const ATTR_NAMES = ['none', 'encrypted', 'decrypted'] as const;

/** Where a page is right now. */
export const Loc = {
  /** free, in the allocator or pool it belongs to */
  FREE: 0,
  /** handed out: held by a thread (the holder field says which) */
  USED: 1,
  /** deliberately or accidentally lost: never reusable */
  LEAKED: 2,
  /** a pool page that was wrongly released into the buddy allocator */
  IN_BUDDY: 3,
} as const;
export type Loc = (typeof Loc)[keyof typeof Loc];
export const LOC_NAMES = ['free', 'in use', 'leaked', 'in buddy (foreign)'] as const;

/** The allocator or pool a page belongs to. Static for a run. */
export const Home = {
  BUDDY: 0,
  /** a CMA page in highmem (32-bit platforms only) */
  CMA_HIGHMEM: 1,
  /** a slot of a restricted-dma-pool (swiotlb with for_alloc) */
  RESTRICTED_POOL: 2,
  /** a chunk of the atomic coherent pool (kernel/dma/pool.c) */
  ATOMIC_POOL: 3,
  /** a slot of the default swiotlb, used only for bouncing */
  SWIOTLB: 4,
  /** a page of per-device coherent memory (a shared-dma-pool reserved-memory region or dma_declare_coherent_memory(); kernel/dma/coherent.c) */
  DEV_COHERENT: 5,
  /** a buffer the caller allocated and shared itself (a dma-buf system_cc_shared heap buffer), mapped with DMA_ATTR_CC_SHARED */
  DMA_BUF_HEAP: 6,
} as const;
export type Home = (typeof Home)[keyof typeof Home];
export const HOME_NAMES = ['buddy', 'cma-highmem', 'restricted-pool', 'atomic-pool', 'swiotlb', 'dev-coherent', 'dma-buf-heap'] as const;

/** What the caller holds after an API call returned. */
export const HandleKind = {
  NONE: 0,
  /** cpu address in the linear map (page_address) */
  LINEAR: 1,
  /** cpu address of a vmap alias made by dma_common_contiguous_remap */
  VMAP: 2,
  /** cpu address handed out by the atomic pool (gen_pool virtual address) */
  POOL_VADDR: 3,
  /** struct page pointer used as an opaque cookie (DMA_ATTR_NO_KERNEL_MAPPING) */
  PAGE_COOKIE: 4,
  /** uncached alias from arch_dma_set_uncached */
  UNCACHED: 5,
  /** struct page pointer (dma_alloc_pages) */
  PAGE: 6,
  /** a struct page pointer that does not point at the allocated memory */
  BOGUS_PAGE: 7,
  /** a streaming mapping bounced through a swiotlb slot */
  BOUNCED: 8,
  /** a streaming mapping of the caller's own buffer without a bounce (an encrypted kernel buffer, not tracked, or the dma-buf heap's shared one) */
  DIRECT_MAPPED: 9,
  /** cpu address inside a device's coherent memory region (dma_alloc_from_dev_coherent) */
  DEV_COHERENT: 10,
} as const;
export type HandleKind = (typeof HandleKind)[keyof typeof HandleKind];
export const HANDLE_KIND_NAMES = [
  'none', 'linear cpu addr', 'vmap cpu addr', 'atomic-pool cpu addr', 'page cookie',
  'uncached cpu addr', 'struct page', 'bogus struct page', 'bounced mapping', 'direct mapping',
  'dev-coherent cpu addr',
] as const;

/**
 * Outcome events. An environment call answers with one of these; the
 * machine in the call state has a transition for each outcome the call can
 * produce. `CALL` starts an entry point.
 *
 * The calls into per-device coherent memory (kernel/dma/coherent.c) answer
 * with the pool events, whose meaning fits: `POOL_ALLOC_OK` /
 * `POOL_ALLOC_FAILED` (a region page, or NULL when the region is
 * exhausted), `POOL_FREED` / `NOT_IN_POOL` (the address is in the region
 * and was released or mapped, or it is not), `PFN_REMAPPED` (the region
 * page was mapped to user space). The pool set-up calls (kernel/dma/pool.c
 * atomic_pool_expand(), kernel/dma/swiotlb.c rmem_swiotlb_device_init())
 * answer with `BUDDY_PAGE` / `BUDDY_FAILED` (the pool's new page from the
 * page allocator), `POOL_ADDED` / `POOL_ADD_FAILED` (gen_pool_add_virt(),
 * add_mem_pool()), `SWIOTLB_POOL_FOUND` / `NOT_IN_SWIOTLB_POOL` (whether
 * `rmem->priv` already holds the region's io_tlb_mem) and the set_memory_*
 * events. An outcome packs its event in 5 bits
 * (models/environment.ts `outcome()`), so at most 32 events exist.
 */
export const OUTCOME_EVENTS = [
  'CALL',
  'SWIOTLB_ALLOC_OK', 'SWIOTLB_ALLOC_FAILED',
  'CMA_HIGHMEM_PAGE', 'CMA_NONE', 'CMA_RELEASED',
  'BUDDY_PAGE', 'BUDDY_FAILED',
  'POOL_ALLOC_OK', 'POOL_ALLOC_FAILED',
  'SET_DECRYPTED_OK', 'SET_DECRYPTED_FAILED',
  'SET_ENCRYPTED_OK', 'SET_ENCRYPTED_FAILED',
  'REMAP_OK', 'REMAP_FAILED',
  'SET_UNCACHED_OK', 'SET_UNCACHED_FAILED',
  'PAGES_FREED',
  'POOL_FREED', 'NOT_IN_POOL',
  'VUNMAPPED', 'UNCACHED_CLEARED',
  'BOUNCE_MAPPED', 'BOUNCE_MAP_FAILED', 'BOUNCE_UNMAPPED',
  'PFN_REMAPPED',
  'SWIOTLB_POOL_FOUND', 'NOT_IN_SWIOTLB_POOL',
  'MASK_SET',
  'POOL_ADDED', 'POOL_ADD_FAILED',
] as const;
export type OutcomeEvent = (typeof OUTCOME_EVENTS)[number];
export const EVENT_ID: Readonly<Record<OutcomeEvent, number>> = Object.fromEntries(
  OUTCOME_EVENTS.map((e, i) => [e, i]),
) as Record<OutcomeEvent, number>;
