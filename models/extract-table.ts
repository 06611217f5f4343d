/**
 * THE LOOKUP TABLE of `dmacheck extract`: what every function, macro and
 * expression that a translated function reaches outside the file's own
 * functions means in dmacheck's world. The translator (src/extract/) knows C
 * control flow only; everything about DMA is here, as plain data.
 *
 * A kernel developer extends it when `dmacheck extract` stops with "not in
 * the lookup table": add the function (FUNCTIONS), the exact expression
 * (EXPRESSIONS, matched with all white space removed), the constant
 * (CONSTANTS), the control-flow local (LOCALS) or the return rule (RETURNS).
 *
 * Meanings:
 *   predicate    a condition decided by the caller, the device or Kconfig:
 *                a guard of models/machines/dma-setup.ts (`guard`) or a
 *                field of the machine input (`input`)
 *   call         an environment call: the machine waits in a state with
 *                meta.call and goes on with one transition per outcome
 *                event; each outcome says what the call returns (`value`),
 *                what it stores through a pointer argument (`out`), whether
 *                the memory leaks from there on (`leaks`), and an action
 *   pure         no effect on the world; returns `value`
 *   action       sets a machine local through a dma-setup action
 *   abstraction  replaced by `value`; `abstraction` says what that drops
 *   test         true iff the argument holds a value of kind `kind`
 *   no-effect    nothing dmaCheck models (logging, cache maintenance, ...)
 *   entry        another entry point (a mapping.c front end calling
 *                dma-direct): the machine extracted for it from the files
 *                read is spliced in at the call, and the code after the
 *                call goes on with what it returned (RETURNED)
 *
 * A value is what the translator knows about it: `truthy` (NULL / 0 are
 * false) and `kind`, which kind of address or object it is. Kinds decide
 * what a `return` hands to the caller (RETURNS) and which address a call is
 * given (meta.arg).
 */
import type { EnvCall, GuardName, MachineInput, MachineLocals, ReturnKind } from './machines/dma-setup.ts';
import type { OutcomeEvent } from './vocabulary.ts';

/** What the translator knows about a value. */
export interface ValueFact {
  /** NULL, 0 and false are not truthy; unknown when absent */
  readonly truthy?: boolean;
  /** which kind of address or object (see RETURNS); unknown when absent */
  readonly kind?: string;
}

export interface Outcome {
  readonly event: OutcomeEvent;
  /** what the call returns on this outcome */
  readonly value: ValueFact;
  /** what the call stores through `&local` argument number `arg` (0-based) */
  readonly out?: { readonly arg: number; readonly value: ValueFact };
  /** the memory is lost from here on unless something frees it (a final state reached so has meta.leak) */
  readonly leaks?: boolean;
  /** a dma-setup action run on this transition, or `set:FIELD=true|false` for a MachineLocals field */
  readonly action?: string;
}

export type TableEntry =
  | { readonly meaning: 'predicate'; readonly guard: GuardName; readonly note?: string }
  | { readonly meaning: 'predicate'; readonly input: keyof MachineInput; readonly note?: string }
  | {
    readonly meaning: 'call'; readonly call: EnvCall; readonly outcomes: readonly Outcome[];
    /** the argument whose kind is meta.arg ('cpu_addr' or 'page_address') */
    readonly arg?: number;
    /** the call gives the memory back (a leak before it no longer counts) */
    readonly frees?: boolean;
    /**
     * ABSTRACTION: the call is made only where this guard holds; elsewhere
     * it is taken to return `value` without a state, for the reason given
     */
    readonly only?: { readonly guard: GuardName; readonly value: ValueFact; readonly abstraction: string };
  }
  | { readonly meaning: 'pure'; readonly value: ValueFact; readonly note?: string }
  | {
    readonly meaning: 'action'; readonly action: string; readonly value: ValueFact;
    /** the action runs only when argument `arg` (an attrs word) has one of `bits` (ATTR_BITS) set */
    readonly whenAttrs?: { readonly arg: number; readonly bits: readonly string[] };
    readonly note?: string;
  }
  | { readonly meaning: 'abstraction'; readonly value: ValueFact; readonly abstraction: string }
  | { readonly meaning: 'test'; readonly kind: string }
  | { readonly meaning: 'entry'; readonly entry: string }
  | {
    readonly meaning: 'no-effect'; readonly value?: ValueFact; readonly why: string;
    /** returns the truth of this argument (WARN_ON_ONCE(cond) is `cond`, with a warning) */
    readonly returnsArgument?: number;
  };

const ANY: ValueFact = {};
const noEffect = (why: string, value: ValueFact = ANY): TableEntry => ({ meaning: 'no-effect', value, why });
const pure = (value: ValueFact, note?: string): TableEntry => (note ? { meaning: 'pure', value, note } : { meaning: 'pure', value });
const ok0 = { truthy: false } as const;
const errno = { truthy: true, kind: 'number' } as const;
const DMA_ADDR: ValueFact = { truthy: true, kind: 'dma_addr' };

/** Functions and function-like macros, by name. */
export const FUNCTIONS: Readonly<Record<string, TableEntry>> = {
  // predicates
  force_dma_unencrypted: { meaning: 'predicate', guard: 'forceDmaUnencrypted' },
  is_swiotlb_for_alloc: { meaning: 'predicate', guard: 'isSwiotlbForAlloc' },
  dev_is_dma_coherent: { meaning: 'predicate', guard: 'devIsDmaCoherent' },
  gfpflags_allow_blocking: { meaning: 'predicate', input: 'B' },
  PageHighMem: { meaning: 'predicate', guard: 'pageIsHighmem' },
  is_vmalloc_addr: { meaning: 'predicate', guard: 'cpuAddrIsVmalloc', note: 'of the address passed to the free (the only one it is asked about)' },
  is_swiotlb_force_bounce: { meaning: 'predicate', guard: 'swiotlbForceBounce' },
  IS_ERR: { meaning: 'test', kind: 'err' },

  // environment calls
  swiotlb_alloc: { meaning: 'call', call: 'swiotlb_alloc', outcomes: [
    { event: 'SWIOTLB_ALLOC_OK', value: { truthy: true, kind: 'page' } },
    { event: 'SWIOTLB_ALLOC_FAILED', value: { truthy: false, kind: 'null' } },
  ] },
  dma_alloc_contiguous: { meaning: 'call', call: 'dma_alloc_contiguous', only: {
    guard: 'highmemCmaConfigured', value: { truthy: false, kind: 'null' },
    abstraction: 'lowmem CMA pages behave as buddy pages, so dma_alloc_contiguous() is a call only where a highmem CMA area exists; elsewhere it returns NULL and the buddy allocator serves',
  }, outcomes: [
    { event: 'CMA_HIGHMEM_PAGE', value: { truthy: true, kind: 'page' }, action: 'markPageHighmem' },
    { event: 'CMA_NONE', value: { truthy: false, kind: 'null' } },
  ] },
  alloc_pages_node: { meaning: 'call', call: 'alloc_pages_node', outcomes: [
    { event: 'BUDDY_PAGE', value: { truthy: true, kind: 'page' } },
    { event: 'BUDDY_FAILED', value: { truthy: false, kind: 'null' } },
  ] },
  // the page given back is no longer the page the function holds: forget its highmem mark
  dma_free_contiguous: { meaning: 'call', call: 'dma_free_contiguous', frees: true, outcomes: [{ event: 'CMA_RELEASED', value: ANY, action: 'set:pageHighmem=false' }] },
  dma_alloc_from_pool: { meaning: 'call', call: 'dma_alloc_from_pool', outcomes: [
    { event: 'POOL_ALLOC_OK', value: { truthy: true, kind: 'page' }, out: { arg: 2, value: { truthy: true, kind: 'pool_vaddr' } } },
    { event: 'POOL_ALLOC_FAILED', value: { truthy: false, kind: 'null' } },
  ] },
  dma_free_from_pool: { meaning: 'call', call: 'dma_free_from_pool', arg: 1, outcomes: [
    { event: 'POOL_FREED', value: { truthy: true } },
    { event: 'NOT_IN_POOL', value: { truthy: false } },
  ] },
  set_memory_decrypted: { meaning: 'call', call: 'set_memory_decrypted', outcomes: [
    { event: 'SET_DECRYPTED_OK', value: ok0 },
    { event: 'SET_DECRYPTED_FAILED', value: errno, leaks: true },
  ] },
  set_memory_encrypted: { meaning: 'call', call: 'set_memory_encrypted', outcomes: [
    { event: 'SET_ENCRYPTED_OK', value: ok0 },
    { event: 'SET_ENCRYPTED_FAILED', value: errno, leaks: true },
  ] },
  dma_common_contiguous_remap: { meaning: 'call', call: 'dma_common_contiguous_remap', outcomes: [
    { event: 'REMAP_OK', value: { truthy: true, kind: 'vmap' } },
    { event: 'REMAP_FAILED', value: { truthy: false, kind: 'null' } },
  ] },
  vunmap: { meaning: 'call', call: 'vunmap', outcomes: [{ event: 'VUNMAPPED', value: ANY }] },
  // kernel/dma/remap.c: vunmap() of the remap
  dma_common_free_remap: { meaning: 'call', call: 'vunmap', outcomes: [{ event: 'VUNMAPPED', value: ANY }] },
  // v7.3: the page goes back to the swiotlb pool it came from, or (returning false) the caller frees it;
  // both are the one step __dma_direct_free_pages() of the environment (it asks swiotlb itself)
  swiotlb_free: { meaning: 'call', call: '__dma_direct_free_pages', frees: true, outcomes: [{ event: 'PAGES_FREED', value: { truthy: true } }] },
  swiotlb_find_pool: { meaning: 'call', call: 'swiotlb_find_pool', outcomes: [
    { event: 'SWIOTLB_POOL_FOUND', value: { truthy: true }, action: 'noteSwiotlbPool' },
    { event: 'NOT_IN_SWIOTLB_POOL', value: { truthy: false, kind: 'null' } },
  ] },
  swiotlb_free_from_pool: { meaning: 'call', call: 'swiotlb_free_from_pool', frees: true, outcomes: [{ event: 'PAGES_FREED', value: ANY }] },
  // v7.3 (pool.c): an atomic-pool page found by its physical address
  dma_free_from_pool_page: { meaning: 'call', call: 'dma_free_from_pool_by_phys', outcomes: [
    { event: 'POOL_FREED', value: { truthy: true } },
    { event: 'NOT_IN_POOL', value: { truthy: false } },
  ] },
  arch_dma_set_uncached: { meaning: 'call', call: 'arch_dma_set_uncached', outcomes: [
    { event: 'SET_UNCACHED_OK', value: { truthy: true, kind: 'uncached' } },
    { event: 'SET_UNCACHED_FAILED', value: { truthy: true, kind: 'err' } },
  ] },
  arch_dma_clear_uncached: { meaning: 'call', call: 'arch_dma_clear_uncached', outcomes: [{ event: 'UNCACHED_CLEARED', value: ANY }] },
  __dma_direct_free_pages: { meaning: 'call', call: '__dma_direct_free_pages', frees: true, outcomes: [{ event: 'PAGES_FREED', value: ANY }] },
  swiotlb_map: { meaning: 'call', call: 'swiotlb_map', outcomes: [
    { event: 'BOUNCE_MAPPED', value: { truthy: true, kind: 'bounced_dma_addr' } },
    { event: 'BOUNCE_MAP_FAILED', value: { truthy: true, kind: 'mapping_error' } },
  ] },
  swiotlb_tbl_unmap_single: { meaning: 'call', call: 'swiotlb_tbl_unmap_single', only: {
    guard: 'isSwiotlbBuffer', value: ANY,
    abstraction: 'swiotlb_tbl_unmap_single() (include/linux/swiotlb.h) releases a slot only when swiotlb_find_pool(dev, phys) finds the address in a swiotlb pool; otherwise it does nothing',
  }, outcomes: [{ event: 'BOUNCE_UNMAPPED', value: ANY }] },
  remap_pfn_range: { meaning: 'call', call: 'remap_pfn_range', outcomes: [{ event: 'PFN_REMAPPED', value: { truthy: false, kind: 'number' } }] },

  // locals set through dma-setup actions
  phys_to_dma_unencrypted: { meaning: 'action', action: 'usePhysToDmaUnencrypted', value: DMA_ADDR },
  pgprot_decrypted: { meaning: 'action', action: 'usePgprotDecrypted', value: ANY },
  // mapping.c: the prot is pgprot_decrypted() when the attrs carry a CC_SHARED bit (v7.3); before v7.3 no
  // code sets those bits in attrs, so the action is never taken there and the callers' own pgprot_decrypted() counts
  dma_pgprot: {
    meaning: 'action', action: 'usePgprotDecrypted', value: ANY, whenAttrs: { arg: 2, bits: ['DMA_ATTR_CC_SHARED', '__DMA_ATTR_ALLOC_CC_SHARED'] },
    note: 'the cacheability of the prot does not matter; its encryption bit follows the CC_SHARED attrs',
  },

  // abstractions
  dma_coherent_ok: {
    meaning: 'abstraction', value: { truthy: true },
    abstraction: 'dma_coherent_ok() holds: every page fits the device mask, so the zone-widening retry and the release of a page that misfits are never taken',
  },
  dma_capable: {
    meaning: 'abstraction', value: { truthy: true },
    abstraction: 'dma_capable() holds on the streaming path: the buffer fits the device mask (a device that needs bouncing is force-bounced, input forceBounce)',
  },
  dma_kmalloc_needs_bounce: {
    meaning: 'abstraction', value: { truthy: false },
    abstraction: 'dma_kmalloc_needs_bounce() is false: the mapped buffers are cache-line aligned or the device is coherent',
  },
  dma_direct_optimal_gfp_mask: { meaning: 'abstraction', value: ANY, abstraction: 'the zone flags chosen for the mask do not matter: every page fits it' },

  // kernel/dma/coherent.c: maps a buffer inside the device's coherent region with the prot set before (returns 1, *ret = 0)
  dma_mmap_from_dev_coherent: { meaning: 'call', call: 'dma_mmap_from_dev_coherent', only: {
    guard: 'devCoherentMemory', value: { truthy: false },
    abstraction: 'dma_mmap_from_dev_coherent() returns 0 at once for a device without per-device coherent memory (dev_get_coherent_memory(dev) == NULL): no call',
  }, outcomes: [
    { event: 'PFN_REMAPPED', value: { truthy: true }, out: { arg: 4, value: { truthy: false, kind: 'number' } } },
    { event: 'NOT_IN_POOL', value: { truthy: false } },
  ] },
  dma_mmap_from_global_coherent: {
    meaning: 'abstraction', value: { truthy: false },
    abstraction: 'the global coherent pool is not modelled: the range is not in it',
  },

  // kernel/dma/mapping.c, the front end drivers call (the dma_direct_* functions are entries, spliced in)
  dma_direct_alloc: { meaning: 'entry', entry: 'dma_direct_alloc' },
  dma_direct_free: { meaning: 'entry', entry: 'dma_direct_free' },
  dma_direct_alloc_pages: { meaning: 'entry', entry: 'dma_direct_alloc_pages' },
  dma_direct_free_pages: { meaning: 'entry', entry: 'dma_direct_free_pages' },
  dma_direct_mmap: { meaning: 'entry', entry: 'dma_direct_mmap' },
  dma_direct_map_phys: { meaning: 'entry', entry: 'dma_direct_map_phys' },
  dma_direct_unmap_phys: { meaning: 'entry', entry: 'dma_direct_unmap_phys' },
  dma_alloc_direct: {
    meaning: 'abstraction', value: { truthy: true },
    abstraction: 'the device is direct: dma_alloc_direct() holds (no IOMMU, no dma_map_ops), so the iommu_dma_*() and ops-> branches are never taken',
  },
  use_dma_iommu: { meaning: 'abstraction', value: { truthy: false }, abstraction: 'no IOMMU translates for the device (a direct device, see dma_alloc_direct)' },
  arch_dma_alloc_direct: { meaning: 'abstraction', value: { truthy: false }, abstraction: 'no arch bypass of dma_map_ops for coherent allocations (asked only after dma_alloc_direct(), which holds)' },
  arch_dma_free_direct: { meaning: 'abstraction', value: { truthy: false }, abstraction: 'no arch bypass of dma_map_ops for coherent frees (asked only after dma_alloc_direct(), which holds)' },
  get_dma_ops: pure({ truthy: false, kind: 'null' }, 'a direct device has no dma_map_ops'),
  irqs_disabled: { meaning: 'abstraction', value: { truthy: false }, abstraction: 'a driver frees coherent memory in process context (WARN_ON(irqs_disabled()) does not fire)' },
  // kernel/dma/coherent.c: a device with per-device coherent memory allocates there and returns 1, even when
  // the region is exhausted (*ret = NULL); the region is never decrypted
  dma_alloc_from_dev_coherent: { meaning: 'call', call: 'dma_alloc_from_dev_coherent', only: {
    guard: 'devCoherentMemory', value: { truthy: false },
    abstraction: 'dma_alloc_from_dev_coherent() returns 0 at once for a device without per-device coherent memory (dev_get_coherent_memory(dev) == NULL): no call',
  }, outcomes: [
    { event: 'POOL_ALLOC_OK', value: { truthy: true }, out: { arg: 3, value: { truthy: true, kind: 'dev_coherent' } } },
    { event: 'POOL_ALLOC_FAILED', value: { truthy: true }, out: { arg: 3, value: { truthy: false, kind: 'null' } } },
  ] },
  // kernel/dma/coherent.c: takes the buffer back if it lies inside the device's region (returns 1)
  dma_release_from_dev_coherent: { meaning: 'call', call: 'dma_release_from_dev_coherent', only: {
    guard: 'devCoherentMemory', value: { truthy: false },
    abstraction: 'dma_release_from_dev_coherent() returns 0 at once for a device without per-device coherent memory: no call',
  }, outcomes: [
    { event: 'POOL_FREED', value: { truthy: true } },
    { event: 'NOT_IN_POOL', value: { truthy: false } },
  ] },
  trace_dma_alloc: noEffect('tracing'),
  trace_dma_free: noEffect('tracing'),
  trace_dma_alloc_pages: noEffect('tracing'),
  trace_dma_free_pages: noEffect('tracing'),
  debug_dma_alloc_coherent: noEffect('DMA-API debug bookkeeping (CONFIG_DMA_API_DEBUG): no encryption state'),
  debug_dma_free_coherent: noEffect('DMA-API debug bookkeeping (CONFIG_DMA_API_DEBUG): no encryption state'),
  debug_dma_alloc_pages: noEffect('DMA-API debug bookkeeping (CONFIG_DMA_API_DEBUG): no encryption state'),
  debug_dma_free_pages: noEffect('DMA-API debug bookkeeping (CONFIG_DMA_API_DEBUG): no encryption state'),

  // values with no effect on the world
  page_to_virt: pure({ truthy: true, kind: 'page_address' }),
  page_address: pure({ truthy: true, kind: 'page_address' }, 'the linear-map address of the page'),
  page_to_phys: pure(ANY),
  virt_to_page: pure({ truthy: true, kind: 'page' }),
  dma_to_phys: pure(ANY),
  phys_to_dma: pure(DMA_ADDR),
  phys_to_dma_encrypted: pure(DMA_ADDR, 'the DMA address of encrypted memory (phys_to_dma() at v7.3)'),
  phys_to_virt: pure({ truthy: true, kind: 'page_address' }),
  phys_to_page: pure({ truthy: true, kind: 'page' }),
  pfn_to_page: pure({ truthy: true, kind: 'page' }),
  PHYS_PFN: pure(ANY),
  PFN_UP: pure(ANY),
  PAGE_ALIGN: pure(ANY),
  PAGE_ALIGNED: { meaning: 'abstraction', value: { truthy: true }, abstraction: 'sizes are whole pages (the callers page-align them)' },
  get_order: pure(ANY),
  dev_to_node: pure(ANY),
  min_not_zero: pure(ANY),
  vma_pages: pure(ANY),
  page_to_pfn: pure(ANY),
  ERR_PTR: pure({ truthy: true, kind: 'err' }),
  __builtin_return_address: pure(ANY),

  memset: noEffect('clears memory: no encryption state'),
  arch_dma_prep_coherent: noEffect('cache maintenance'),
  arch_sync_dma_for_device: noEffect('cache maintenance'),
  arch_sync_dma_for_cpu: noEffect('cache maintenance'),
  WARN_ON_ONCE: { meaning: 'no-effect', why: 'a warning; returns its condition', returnsArgument: 0 },
  WARN_ON: { meaning: 'no-effect', why: 'a warning; returns its condition', returnsArgument: 0 },
  unlikely: { meaning: 'no-effect', why: 'a branch-prediction hint; returns its condition', returnsArgument: 0 },
  likely: { meaning: 'no-effect', why: 'a branch-prediction hint; returns its condition', returnsArgument: 0 },
  dev_WARN_ONCE: { meaning: 'no-effect', why: 'a warning; returns its condition', returnsArgument: 1 },
  arch_sync_dma_flush: noEffect('cache maintenance'),
  arch_sync_dma_for_cpu_all: noEffect('cache maintenance'),
  swiotlb_sync_single_for_cpu: noEffect('copies a bounce slot back: no encryption state'),
  swiotlb_sync_single_for_device: noEffect('copies into a bounce slot: no encryption state'),
  pr_warn: noEffect('logging'),
  pr_warn_once: noEffect('logging'),
  pr_warn_ratelimited: noEffect('logging'),
  dev_warn: noEffect('logging'),
  dev_warn_once: noEffect('logging'),
  __free_pages: noEffect('frees a page that was never decrypted (only on the retry path that dma_coherent_ok() rules out)'),
};

const MMAP_BOUNDS: TableEntry = {
  meaning: 'abstraction', value: { truthy: false },
  abstraction: 'the mmap bounds check passes: the driver maps within the buffer',
};

/** Whole expressions, matched with all white space removed (checked before FUNCTIONS). */
export const EXPRESSIONS: Readonly<Record<string, TableEntry>> = {
  'IS_ENABLED(CONFIG_DMA_DIRECT_REMAP)': { meaning: 'predicate', guard: 'dmaDirectRemapConfigured' },
  'IS_ENABLED(CONFIG_ARCH_HAS_DMA_SET_UNCACHED)': { meaning: 'predicate', guard: 'setUncachedConfigured' },
  'IS_ENABLED(CONFIG_ARCH_HAS_DMA_CLEAR_UNCACHED)': { meaning: 'predicate', guard: 'clearUncachedConfigured' },
  'IS_ENABLED(CONFIG_DMA_COHERENT_POOL)': { meaning: 'predicate', guard: 'coherentPoolConfigured' },
  'IS_ENABLED(CONFIG_ARCH_HAS_DMA_ALLOC)': {
    meaning: 'abstraction', value: { truthy: false },
    abstraction: 'CONFIG_ARCH_HAS_DMA_ALLOC hands the buffer to arch code with no encryption logic; no modelled platform selects it',
  },
  'IS_ENABLED(CONFIG_DMA_GLOBAL_POOL)': {
    meaning: 'abstraction', value: { truthy: false },
    abstraction: 'CONFIG_DMA_GLOBAL_POOL hands the buffer to a global coherent pool with no encryption logic; no modelled platform selects it',
  },
  'vma->vm_pgoff>=count||user_count>count-vma->vm_pgoff': MMAP_BOUNDS,
  // mapping.c (dma_mmap_pages)
  'vma->vm_pgoff>=count||vma_pages(vma)>count-vma->vm_pgoff': MMAP_BOUNDS,
  // mapping.c: the WARN_ON_ONCE() sanity checks of the front end pass
  'dev->coherent_dma_mask': {
    meaning: 'abstraction', value: { truthy: true },
    abstraction: 'the driver set a coherent DMA mask before allocating (dma_set_coherent_mask is a driver step)',
  },
  'flag&__GFP_COMP': { meaning: 'abstraction', value: { truthy: false }, abstraction: 'a driver does not ask a coherent allocation for compound pages (__GFP_COMP)' },
  'gfp&__GFP_COMP': { meaning: 'abstraction', value: { truthy: false }, abstraction: 'a driver does not ask dma_alloc_pages() for compound pages (__GFP_COMP)' },
  'gfp&(__GFP_DMA|__GFP_DMA32|__GFP_HIGHMEM)': {
    meaning: 'abstraction', value: { truthy: false },
    abstraction: 'a driver leaves the zone to dma_alloc_pages() (no __GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM)',
  },
};

/** Identifiers that are constants. */
export const CONSTANTS: Readonly<Record<string, ValueFact>> = {
  NULL: { truthy: false, kind: 'null' },
  true: { truthy: true },
  false: { truthy: false },
  DMA_MAPPING_ERROR: { truthy: true, kind: 'mapping_error' },
  ENOMEM: { truthy: true },
  ENXIO: { truthy: true },
  EINVAL: { truthy: true },
  PAGE_KERNEL: {},
  PAGE_SIZE: {},
  PAGE_SHIFT: {},
  GFP_DMA: {},
  GFP_DMA32: {},
  GFP_KERNEL: {},
  __GFP_ZERO: {},
  __GFP_NOWARN: {},
  __GFP_COMP: {},
  __GFP_DMA: {},
  __GFP_DMA32: {},
  __GFP_HIGHMEM: {},
  DMA_BIDIRECTIONAL: {},
};

/**
 * Locals of an entry point that decide control flow and are kept in the
 * machine context (MachineLocals), rather than followed by splitting the
 * path (what the translator does for every other local whose value a
 * branch reads). `guard` reads the field; without one the translator reads
 * the field directly.
 */
export const LOCALS: Readonly<Record<string, { readonly field: keyof MachineLocals; readonly guard?: GuardName }>> = {
  remap: { field: 'remap', guard: 'remapNeeded' },
  set_uncached: { field: 'setUncached', guard: 'setUncachedNeeded' },
  // v7.3: whether the linear alias is decrypted (dma_direct_alloc) or re-encrypted (the frees)
  mark_mem_decrypt: { field: 'markMem', guard: 'markMem' },
  mark_mem_encrypted: { field: 'markMem', guard: 'markMem' },
};

/** The name of the DMA attributes word (a parameter or local of the entry points, passed on to helpers). */
export const ATTRS = 'attrs';

/**
 * What each bit of `attrs` means. A bit kept in a machine-context field
 * (`field`) is set by `attrs |= BIT` and tested through `guard`; it starts
 * clear (see ATTRS_START). A bit that is an input of the machine (`input`)
 * is the caller's. A bit taken as clear (`clear`) says why. `attrs & MASK`,
 * `(attrs & MASK) == BITS` and `attrs |= BITS` are read bit by bit.
 */
export type AttrBit =
  | { readonly field: keyof MachineLocals; readonly guard: GuardName }
  | { readonly input: keyof MachineInput }
  | { readonly clear: string };

export const ATTR_BITS: Readonly<Record<string, AttrBit>> = {
  DMA_ATTR_NO_KERNEL_MAPPING: { input: 'NKM' },
  // v7.3: both CC_SHARED bits say the same thing about the buffer (dma_pgprot() tests either)
  __DMA_ATTR_ALLOC_CC_SHARED: { field: 'ccShared', guard: 'ccShared' },
  DMA_ATTR_CC_SHARED: { field: 'ccShared', guard: 'ccShared' },
  DMA_ATTR_NO_WARN: { clear: 'DMA_ATTR_NO_WARN only adds __GFP_NOWARN to gfp; no allocation warning is modelled, so it is taken as not set' },
  DMA_ATTR_MMIO: { clear: 'the driver programs map kernel memory, never MMIO: DMA_ATTR_MMIO is not passed' },
  DMA_ATTR_REQUIRE_COHERENT: { clear: 'the driver programs do not pass DMA_ATTR_REQUIRE_COHERENT' },
  DMA_ATTR_SKIP_CPU_SYNC: { clear: 'DMA_ATTR_SKIP_CPU_SYNC only skips cache maintenance, which has no encryption effect: taken as not set' },
};

/** ABSTRACTION applied where a translated function tests a context bit of its `attrs` parameter before setting it. */
export const ATTRS_START = 'the caller passes no CC_SHARED bit in attrs (a correct driver does not; the direct.c entry points set it themselves from force_dma_unencrypted())';

/**
 * Entry points whose caller (the driver) may pass a context bit of `attrs`
 * itself: there a test of the bit on a path that has not set it reads what
 * the caller passed (the machine input `input`) instead of taking it clear
 * (ATTRS_START). v7.3's dma_alloc_attrs() refuses a CC_SHARED bit from the
 * driver, which the hand model follows with input callerShared.
 */
export const CALLER_ATTRS: Readonly<Record<string, { readonly field: keyof MachineLocals; readonly input: keyof MachineInput }>> = {
  dma_alloc_attrs: { field: 'ccShared', input: 'callerShared' },
};

/**
 * What a spliced entry point's return value is to the code after the call
 * (meaning `entry`), by what its machine returns: whether it is NULL / 0.
 * A `return` of it hands the same ReturnKind on.
 */
export const RETURNED: Readonly<Record<ReturnKind, ValueFact>> = {
  null: { truthy: false },
  cpu_addr: { truthy: true },
  pool_vaddr: { truthy: true },
  page_cookie: { truthy: true },
  page: { truthy: true },
  vaddr_as_page: { truthy: true },
  void: {},
  bounced_dma_addr: { truthy: true },
  direct_dma_addr: { truthy: true },
  shared_dma_addr: { truthy: true },
  mapping_error: { truthy: true },
  mmap_result: {},
  status: { truthy: false },
  dev_coherent_cpu_addr: { truthy: true },
  setup_error: { truthy: true },
};

/** What the parameters of an entry point hold when it starts. */
export const PARAMETERS: Readonly<Record<string, ValueFact>> = {
  cpu_addr: { truthy: true, kind: 'cpu_addr' },
  page: { truthy: true, kind: 'page' },
  // dma_direct_map_phys(): only whether the cache is flushed after the sync (no encryption effect)
  flush: { truthy: true },
};

/**
 * What a `return` hands to the caller, by the kind of the value returned
 * and the declared return type (any type when `type` is absent). The first
 * rule that matches wins; a `void` function returns 'void'.
 */
export const RETURNS: readonly { readonly kind: string; readonly type?: string; readonly returns: ReturnKind }[] = [
  { kind: 'null', returns: 'null' },
  { kind: 'page_address', returns: 'cpu_addr' },
  { kind: 'vmap', returns: 'cpu_addr' },
  { kind: 'uncached', returns: 'cpu_addr' },
  { kind: 'pool_vaddr', type: 'struct page *', returns: 'vaddr_as_page' },
  { kind: 'pool_vaddr', returns: 'pool_vaddr' },
  { kind: 'page', type: 'void *', returns: 'page_cookie' },
  { kind: 'page', type: 'struct page *', returns: 'page' },
  { kind: 'bounced_dma_addr', returns: 'bounced_dma_addr' },
  { kind: 'mapping_error', returns: 'mapping_error' },
  { kind: 'dma_addr', type: 'dma_addr_t', returns: 'direct_dma_addr' },
  { kind: 'number', type: 'int', returns: 'mmap_result' },
  { kind: 'dev_coherent', returns: 'dev_coherent_cpu_addr' },
];

/** Kinds of address that a call's meta.arg can name. */
export const ARG_KINDS: Readonly<Record<string, 'cpu_addr' | 'page_address'>> = {
  cpu_addr: 'cpu_addr',
  page_address: 'page_address',
};
