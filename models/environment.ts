/**
 * The environment dma-direct calls into, as nondeterministic functions over
 * the world: which outcomes a call can have in the current world (failure
 * injection lives here, not in the machines), and what each outcome does to
 * the pages. Facts §5.
 *
 * ABSTRACTION: allocators and pools may fail at any call (exhaustion by other
 * users); of several free pages in identical states only the first is
 * offered (the others give isomorphic runs).
 *
 * This runs once per explored transition: calls are numbered (`Call`), and
 * nothing here allocates.
 */
import type { EnvCall } from './machines/dma-setup.ts';
import type { Observation } from './observation.ts';
import { ObsKind } from './observation.ts';
import type { EnvGeneration, Platform } from './platforms.ts';
import type { RunWorld } from './run.ts';
import { LOCAL_BIT } from './step-cache.ts';
import { Attr, EVENT_ID as E, Enc, HandleKind, Home, Loc } from './vocabulary.ts';
import { MAX_PAGES, type WorldView } from './world.ts';

/** The environment calls, numbered. */
export const Call = {
  SWIOTLB_ALLOC: 0, DMA_ALLOC_CONTIGUOUS: 1, DMA_FREE_CONTIGUOUS: 2, ALLOC_PAGES_NODE: 3,
  DMA_ALLOC_FROM_POOL: 4, DMA_FREE_FROM_POOL: 5, SET_MEMORY_DECRYPTED: 6, SET_MEMORY_ENCRYPTED: 7,
  DMA_COMMON_CONTIGUOUS_REMAP: 8, VUNMAP: 9, ARCH_DMA_SET_UNCACHED: 10, ARCH_DMA_CLEAR_UNCACHED: 11,
  DMA_DIRECT_FREE_PAGES: 12, SWIOTLB_MAP: 13, SWIOTLB_TBL_UNMAP_SINGLE: 14, REMAP_PFN_RANGE: 15,
  DMA_FREE_FROM_POOL_BY_PHYS: 16, SWIOTLB_FIND_POOL: 17, SWIOTLB_FREE_FROM_POOL: 18, DMA_SET_COHERENT_MASK: 19,
  // per-device coherent memory (kernel/dma/coherent.c)
  DMA_ALLOC_FROM_DEV_COHERENT: 20, DMA_RELEASE_FROM_DEV_COHERENT: 21, DMA_MMAP_FROM_DEV_COHERENT: 22,
  // pool set-up: atomic_pool_expand() (kernel/dma/pool.c), rmem_swiotlb_device_init() (kernel/dma/swiotlb.c)
  ALLOC_PAGES: 23, GEN_POOL_ADD_VIRT: 24, FREE_PAGES: 25, RMEM_PRIV: 26, SET_MEMORY_DECRYPTED_REGION: 27, ADD_MEM_POOL: 28,
} as const;
export type Call = (typeof Call)[keyof typeof Call];

/** The number of each call a machine state can wait on. */
export const CALL_ID: Readonly<Record<EnvCall, Call>> = {
  swiotlb_alloc: Call.SWIOTLB_ALLOC,
  dma_alloc_contiguous: Call.DMA_ALLOC_CONTIGUOUS,
  dma_free_contiguous: Call.DMA_FREE_CONTIGUOUS,
  alloc_pages_node: Call.ALLOC_PAGES_NODE,
  dma_alloc_from_pool: Call.DMA_ALLOC_FROM_POOL,
  dma_free_from_pool: Call.DMA_FREE_FROM_POOL,
  dma_free_from_pool_by_phys: Call.DMA_FREE_FROM_POOL_BY_PHYS,
  set_memory_decrypted: Call.SET_MEMORY_DECRYPTED,
  set_memory_encrypted: Call.SET_MEMORY_ENCRYPTED,
  dma_common_contiguous_remap: Call.DMA_COMMON_CONTIGUOUS_REMAP,
  vunmap: Call.VUNMAP,
  arch_dma_set_uncached: Call.ARCH_DMA_SET_UNCACHED,
  arch_dma_clear_uncached: Call.ARCH_DMA_CLEAR_UNCACHED,
  __dma_direct_free_pages: Call.DMA_DIRECT_FREE_PAGES,
  swiotlb_map: Call.SWIOTLB_MAP,
  swiotlb_tbl_unmap_single: Call.SWIOTLB_TBL_UNMAP_SINGLE,
  remap_pfn_range: Call.REMAP_PFN_RANGE,
  swiotlb_find_pool: Call.SWIOTLB_FIND_POOL,
  swiotlb_free_from_pool: Call.SWIOTLB_FREE_FROM_POOL,
  dma_set_coherent_mask: Call.DMA_SET_COHERENT_MASK,
  dma_alloc_from_dev_coherent: Call.DMA_ALLOC_FROM_DEV_COHERENT,
  dma_release_from_dev_coherent: Call.DMA_RELEASE_FROM_DEV_COHERENT,
  dma_mmap_from_dev_coherent: Call.DMA_MMAP_FROM_DEV_COHERENT,
  alloc_pages: Call.ALLOC_PAGES,
  gen_pool_add_virt: Call.GEN_POOL_ADD_VIRT,
  __free_pages: Call.FREE_PAGES,
  rmem_priv: Call.RMEM_PRIV,
  set_memory_decrypted_region: Call.SET_MEMORY_DECRYPTED_REGION,
  add_mem_pool: Call.ADD_MEM_POOL,
};

/** Kernel function name of each call number. */
export const CALL_NAMES: readonly EnvCall[] = (() => {
  const names: EnvCall[] = [];
  for (const [name, id] of Object.entries(CALL_ID)) names[id] = name as EnvCall;
  return names;
})();

/** Everything a call sees while one thread takes one step. The stepper owns one and updates it per step. */
export class EnvFrame {
  /** the stepping thread */
  t = 0;
  /** machine locals of the thread (LOCAL_BIT masks) */
  locals = 0;
  /** gfpflags_allow_blocking() of the running call (true outside allocations) */
  gfpBlocking = true;
  /** force_dma_unencrypted() of the stepping thread's device now */
  F = false;
  /** the stepping thread's device's restricted pool now: -1 when it has none, or its set-up failed */
  pool = -1;

  /** the environment generation of the run's kernel version */
  gen: EnvGeneration = 'classic';

  constructor(
    /** the platform as the run's kernel version sees it (platformAt) */
    readonly platform: Platform,
    readonly world: RunWorld,
    /** the state before the step (read only) */
    readonly pre: WorldView,
    /** the state being built */
    readonly next: WorldView,
    /** record an observation about `page` (-1 for none); before-fields are filled from `pre` */
    readonly obs: (kind: ObsKind, page: number, fn: string) => Observation,
  ) {}
}

/** An outcome: event id, and the page chosen (-1 for none). */
export const outcome = (event: number, choice = -1): number => event | ((choice + 1) << 5);
export const outcomeEvent = (o: number): number => o & 31;
export const outcomeChoice = (o: number): number => (o >> 5) - 1;

/** A reusable list of outcomes. */
export class OutcomeList {
  readonly items = new Int32Array(MAX_PAGES + 2);
  length = 0;
  push(o: number): void {
    this.items[this.length++] = o;
  }
}

/** Attribute of a prot or DMA address made "decrypted" when `decrypted`, on this platform. */
function attrFor(platform: Platform, decrypted: boolean): Attr {
  return decrypted && platform.memEncryptActive ? Attr.DEC : Attr.ENC;
}

const seenSigs = new Int32Array(MAX_PAGES);

/**
 * Offer each free page of `home` whose pool is `pool` (-1 for pages outside
 * restricted pools) and, with `inBuddy`, each page wrongly released into the
 * buddy allocator; skip pages whose packed state equals an earlier
 * candidate's.
 */
function offerFreePages(w: WorldView, home: Home, pool: number, inBuddy: boolean, out: OutcomeList, event: number): void {
  const pages = w.layout.pages;
  let nSeen = 0;
  for (let p = 0; p < pages.length; p++) {
    const pg = pages[p]!;
    const loc = w.loc(p);
    // the atomic pool's growth page, while in the page allocator, is the pool worker's (ABSTRACTION: no thread competes for it)
    if (!((loc === Loc.FREE && pg.home === home && pg.pool === pool) || (inBuddy && loc === Loc.IN_BUDDY && !pg.poolGrowth))) continue;
    const sig = (loc | (w.enc(p) << 2) | (w.vmap(p) << 4) | (w.user(p) << 6) | (w.dma(p) << 8)) * 8 + pg.home;
    let seen = false;
    for (let i = 0; i < nSeen; i++) if (seenSigs[i] === sig) seen = true;
    if (seen) continue;
    seenSigs[nSeen++] = sig;
    out.push(outcome(event, p));
  }
}

/** Push the outcomes `call` can have now. */
export function listOutcomes(call: Call, f: EnvFrame, out: OutcomeList): void {
  const w = f.pre;
  const canFail = f.platform.setMemoryCanFail && f.platform.memEncryptActive;
  switch (call) {
    case Call.SWIOTLB_ALLOC:
      // v7.3 swiotlb_alloc(dev, size, attrs): NULL when the pool's cc_shared differs from !!(attrs & __DMA_ATTR_ALLOC_CC_SHARED).
      if (!poolKindMismatch(f, f.world.restrictedPoolShared))
        offerFreePages(w, Home.RESTRICTED_POOL, f.pool, false, out, E.SWIOTLB_ALLOC_OK);
      out.push(outcome(E.SWIOTLB_ALLOC_FAILED));
      return;
    case Call.DMA_ALLOC_CONTIGUOUS:
      // kernel/dma/contiguous.c: CMA may sleep, so dma_alloc_contiguous() returns NULL for a non-blocking gfp.
      if (f.gfpBlocking) offerFreePages(w, Home.CMA_HIGHMEM, -1, false, out, E.CMA_HIGHMEM_PAGE);
      out.push(outcome(E.CMA_NONE));
      return;
    case Call.DMA_FREE_CONTIGUOUS:
      out.push(outcome(E.CMA_RELEASED));
      return;
    case Call.ALLOC_PAGES_NODE:
      offerFreePages(w, Home.BUDDY, -1, true, out, E.BUDDY_PAGE);
      out.push(outcome(E.BUDDY_FAILED));
      return;
    case Call.DMA_ALLOC_FROM_POOL:
      // v7.3 dma_alloc_from_pool(..., attrs, ...): pools whose cc_shared differs are skipped (WARN and NULL when none is left).
      if (!poolKindMismatch(f, f.world.atomicPoolShared)) offerFreePages(w, Home.ATOMIC_POOL, -1, false, out, E.POOL_ALLOC_OK);
      out.push(outcome(E.POOL_ALLOC_FAILED));
      return;
    case Call.SET_MEMORY_DECRYPTED:
      out.push(outcome(E.SET_DECRYPTED_OK));
      if (canFail && w.cur(f.t) >= 0) out.push(outcome(E.SET_DECRYPTED_FAILED));
      return;
    case Call.SET_MEMORY_ENCRYPTED:
      out.push(outcome(E.SET_ENCRYPTED_OK));
      if (canFail && w.cur(f.t) >= 0) out.push(outcome(E.SET_ENCRYPTED_FAILED));
      return;
    case Call.DMA_COMMON_CONTIGUOUS_REMAP:
      out.push(outcome(E.REMAP_OK));
      out.push(outcome(E.REMAP_FAILED));
      return;
    case Call.ARCH_DMA_SET_UNCACHED:
      out.push(outcome(E.SET_UNCACHED_OK));
      out.push(outcome(E.SET_UNCACHED_FAILED));
      return;
    case Call.VUNMAP:
      out.push(outcome(E.VUNMAPPED));
      return;
    case Call.ARCH_DMA_CLEAR_UNCACHED:
      out.push(outcome(E.UNCACHED_CLEARED));
      return;
    case Call.DMA_DIRECT_FREE_PAGES:
      out.push(outcome(E.PAGES_FREED));
      return;
    case Call.DMA_FREE_FROM_POOL:
      out.push(outcome(poolLookupHits(f) ? E.POOL_FREED : E.NOT_IN_POOL));
      return;
    case Call.DMA_FREE_FROM_POOL_BY_PHYS: {
      // The pool found by physical address ("dma: free atomic pool pages by physical address").
      const p = f.pre.cur(f.t);
      out.push(outcome(p >= 0 && f.pre.layout.pages[p]!.home === Home.ATOMIC_POOL ? E.POOL_FREED : E.NOT_IN_POOL));
      return;
    }
    case Call.SWIOTLB_MAP: {
      const pool = f.pool;
      if (!swiotlbPoolRefuses(f)) {
        if (pool >= 0) offerFreePages(w, Home.RESTRICTED_POOL, pool, false, out, E.BOUNCE_MAPPED);
        else offerFreePages(w, Home.SWIOTLB, -1, false, out, E.BOUNCE_MAPPED);
      }
      out.push(outcome(E.BOUNCE_MAP_FAILED));
      return;
    }
    case Call.SWIOTLB_TBL_UNMAP_SINGLE:
      out.push(outcome(E.BOUNCE_UNMAPPED));
      return;
    case Call.REMAP_PFN_RANGE:
      out.push(outcome(E.PFN_REMAPPED));
      return;
    case Call.SWIOTLB_FIND_POOL: {
      const p = w.cur(f.t);
      const pg = p >= 0 ? w.layout.pages[p]! : undefined;
      out.push(outcome(pg?.home === Home.RESTRICTED_POOL && pg.pool === f.pool ? E.SWIOTLB_POOL_FOUND : E.NOT_IN_SWIOTLB_POOL));
      return;
    }
    case Call.SWIOTLB_FREE_FROM_POOL:
      out.push(outcome(E.PAGES_FREED));
      return;
    case Call.DMA_SET_COHERENT_MASK:
      out.push(outcome(E.MASK_SET));
      return;
    case Call.DMA_ALLOC_FROM_DEV_COHERENT:
      // coherent.c:195-196: a free region page, or NULL when the region is exhausted (the caller returns it: no fallback)
      offerFreePages(w, Home.DEV_COHERENT, -1, false, out, E.POOL_ALLOC_OK);
      out.push(outcome(E.POOL_ALLOC_FAILED));
      return;
    case Call.DMA_RELEASE_FROM_DEV_COHERENT:
      out.push(outcome(inDevCoherentRegion(f) ? E.POOL_FREED : E.NOT_IN_POOL));
      return;
    case Call.DMA_MMAP_FROM_DEV_COHERENT:
      out.push(outcome(inDevCoherentRegion(f) ? E.PFN_REMAPPED : E.NOT_IN_POOL));
      return;
    case Call.ALLOC_PAGES:
      // the pool's new page (pool.c's order loop: CMA, then the buddy allocator), or none
      for (let p = 0; p < w.layout.pages.length; p++)
        if (w.layout.pages[p]!.poolGrowth && w.loc(p) === Loc.IN_BUDDY) out.push(outcome(E.BUDDY_PAGE, p));
      out.push(outcome(E.BUDDY_FAILED));
      return;
    case Call.GEN_POOL_ADD_VIRT:
      // gen_pool_add_virt() allocates the chunk's descriptor, and may fail
      out.push(outcome(E.POOL_ADDED));
      out.push(outcome(E.POOL_ADD_FAILED));
      return;
    case Call.FREE_PAGES:
      out.push(outcome(E.PAGES_FREED));
      return;
    case Call.RMEM_PRIV: {
      const region = f.world.devicePool[f.t]!;
      if (regionSetUp(w, region)) out.push(outcome(E.SWIOTLB_POOL_FOUND));
      // ABSTRACTION: a region another device is setting up holds this probe back (no outcome) until it is set up or given up
      else if (!regionClaimed(w, region)) out.push(outcome(E.NOT_IN_SWIOTLB_POOL));
      return;
    }
    case Call.SET_MEMORY_DECRYPTED_REGION:
      out.push(outcome(E.SET_DECRYPTED_OK));
      if (canFail) out.push(outcome(E.SET_DECRYPTED_FAILED));
      return;
    case Call.ADD_MEM_POOL:
      out.push(outcome(E.POOL_ADDED));
      return;
  }
}

/** Whether page `p` lies in the restricted-pool region `pool`. */
function inRegion(w: WorldView, p: number, pool: number): boolean {
  const pg = w.layout.pages[p]!;
  return pg.home === Home.RESTRICTED_POOL && pg.pool === pool;
}

/** Whether the restricted-pool region `pool` is set up: rmem->priv holds its io_tlb_mem. */
function regionSetUp(w: WorldView, pool: number): boolean {
  for (let p = 0; p < w.layout.pages.length; p++) if (inRegion(w, p, pool)) return w.poolSetUp(p);
  return false;
}

/** Whether a probe holds the region `pool` while it sets it up (its pages are held, and it is not set up). */
function regionClaimed(w: WorldView, pool: number): boolean {
  for (let p = 0; p < w.layout.pages.length; p++) if (inRegion(w, p, pool) && w.loc(p) === Loc.USED) return true;
  return false;
}

/**
 * rmem_swiotlb_device_init() failed at v7.3: the io_tlb_mem is freed and
 * rmem->priv stays NULL, so the region is reserved memory again (in
 * whatever state set_memory_decrypted() left it) and the device has no
 * restricted pool.
 */
export function abandonRegionSetUp(f: EnvFrame): void {
  const region = f.world.devicePool[f.t]!;
  for (let p = 0; p < f.pre.layout.pages.length; p++)
    if (inRegion(f.pre, p, region) && f.next.loc(p) === Loc.USED && f.next.holder(p) === f.t) f.next.setLoc(p, Loc.FREE);
  f.next.setPoolDetached(f.t, true);
}

/**
 * coherent.c __dma_release_from_coherent() / __dma_mmap_from_coherent():
 * whether the cpu address the caller passes lies inside the device's region
 * (`vaddr >= mem->virt_base && vaddr < virt_base + size`).
 */
function inDevCoherentRegion(f: EnvFrame): boolean {
  const p = f.pre.cur(f.t);
  return p >= 0 && f.pre.handleKind(f.t) === HandleKind.DEV_COHERENT && f.pre.layout.pages[p]!.home === Home.DEV_COHERENT;
}

/**
 * v7.3 swiotlb_tbl_map_single() (swiotlb.c:1518-1533): on a CC guest a
 * pool whose cc_shared differs from force_dma_unencrypted(dev) is refused;
 * on a host with memory encryption (SME) an unshared pool is refused.
 */
function swiotlbPoolRefuses(f: EnvFrame): boolean {
  if (f.gen !== 'cc-shared') return false;
  const shared = f.pool >= 0 ? f.world.restrictedPoolShared : f.world.swiotlbShared;
  const hostEncrypt = f.platform.forceDmaUnencrypted === 'mask-below-c-bit';
  if (f.platform.ccMemEncrypt && !hostEncrypt) return shared !== f.F;
  return hostEncrypt && !shared;
}

/**
 * v7.3: whether the running call asks for the other kind of memory than a
 * pool of cc_shared `poolShared` holds (`attrs & __DMA_ATTR_ALLOC_CC_SHARED`
 * is the caller's `ccShared` local). Pools of the classic generation have no
 * kind.
 */
function poolKindMismatch(f: EnvFrame, poolShared: boolean): boolean {
  return f.gen === 'cc-shared' && ((f.locals & LOCAL_BIT.ccShared) !== 0) !== poolShared;
}

/**
 * dma_free_from_pool(dev, addr): the gen_pool is keyed by the chunk's
 * virtual address: the vmap address under DMA_DIRECT_REMAP, the linear
 * address otherwise (facts §5.4). dma_direct_free passes the cpu_addr the
 * caller got; dma_direct_free_pages passes page_address(page).
 */
function poolLookupHits(f: EnvFrame): boolean {
  const w = f.pre;
  const p = w.cur(f.t);
  if (p < 0 || w.layout.pages[p]!.home !== Home.ATOMIC_POOL) return false;
  const kind = w.handleKind(f.t);
  return kind === HandleKind.POOL_VADDR || (kind === HandleKind.PAGE && !f.platform.kconfig.DMA_DIRECT_REMAP);
}

/** `from`: where the page comes from (its home, unless the atomic pool's growth page comes from the page allocator) */
function take(f: EnvFrame, p: number, fn: string, from: Home = f.pre.layout.pages[p]!.home): void {
  f.obs(ObsKind.TAKE, p, fn).dest = from;
  f.next.setLoc(p, Loc.USED, f.t);
  f.next.setCur(f.t, p);
}

function giveBack(f: EnvFrame, p: number, dest: Home, fn: string): void {
  f.obs(ObsKind.GIVE_BACK, p, fn).dest = dest;
  const home = f.pre.layout.pages[p]!.home;
  f.next.setLoc(p, home === dest ? Loc.FREE : Loc.IN_BUDDY);
}

/** The page a call acts on, or -1 after recording a use of a bogus pointer. */
function target(f: EnvFrame, fn: string): number {
  const p = f.pre.cur(f.t);
  if (p < 0) f.obs(ObsKind.BOGUS_POINTER, -1, fn).reason = `${fn}() on a pointer that does not refer to the allocation`;
  return p;
}

function mayFail(f: EnvFrame, fn: string): void {
  f.obs(ObsKind.FAILED_CALL, f.pre.cur(f.t), fn).ok = false;
}

/** Apply outcome `o` of `call` to `f.next`. */
export function applyOutcome(call: Call, f: EnvFrame, o: number): void {
  const ev = outcomeEvent(o);
  const choice = outcomeChoice(o);
  const n = f.next;
  const fn = CALL_NAMES[call]!;
  switch (call) {
    case Call.SWIOTLB_ALLOC:
    case Call.DMA_ALLOC_CONTIGUOUS:
    case Call.ALLOC_PAGES_NODE:
    case Call.DMA_ALLOC_FROM_POOL:
      if (choice >= 0) take(f, choice, fn);
      else if (ev !== E.CMA_NONE) mayFail(f, fn);
      if (call === Call.DMA_ALLOC_FROM_POOL && choice < 0 && poolKindMismatch(f, f.world.atomicPoolShared))
        f.obs(ObsKind.WARN, -1, fn).reason = 'WARN: no atomic pool of the requested kind (its cc_shared differs from the attrs)';
      return;
    case Call.DMA_FREE_CONTIGUOUS: {
      const p = target(f, fn);
      if (p < 0) return;
      giveBack(f, p, f.pre.layout.pages[p]!.home === Home.CMA_HIGHMEM ? Home.CMA_HIGHMEM : Home.BUDDY, fn);
      n.setCur(f.t, -1);
      return;
    }
    case Call.SET_MEMORY_DECRYPTED:
    case Call.SET_MEMORY_ENCRYPTED: {
      f.obs(ObsKind.MAY_SLEEP, f.pre.cur(f.t), fn).gfpBlocking = f.gfpBlocking;
      const p = target(f, fn);
      if (p < 0) return;
      // without memory encryption set_memory_*() are stubs returning 0 (pool.c calls them unconditionally at
      // baseline): a decrypt and the re-encrypt that undoes it are no double encryption, so there is nothing to judge
      if (!f.platform.memEncryptActive) return;
      const ok = ev === E.SET_DECRYPTED_OK || ev === E.SET_ENCRYPTED_OK;
      const decrypt = call === Call.SET_MEMORY_DECRYPTED;
      f.obs(decrypt ? ObsKind.SET_DECRYPTED : ObsKind.SET_ENCRYPTED, p, fn).ok = ok;
      n.setEnc(p, ok ? (decrypt ? Enc.DEC : Enc.ENC) : Enc.UNKNOWN);
      return;
    }
    case Call.DMA_COMMON_CONTIGUOUS_REMAP: {
      f.obs(ObsKind.MAY_SLEEP, f.pre.cur(f.t), fn).gfpBlocking = f.gfpBlocking;
      if (ev === E.REMAP_FAILED) return mayFail(f, fn);
      const p = target(f, fn);
      if (p < 0) return;
      const attr = attrFor(f.platform, (f.locals & LOCAL_BIT.protDecrypted) !== 0);
      f.obs(ObsKind.VMAP, p, fn).attr = attr;
      n.setVmap(p, attr);
      return;
    }
    case Call.VUNMAP: {
      const p = target(f, fn);
      if (p < 0) return;
      f.obs(ObsKind.VMAP, p, fn).attr = Attr.NONE;
      n.setVmap(p, Attr.NONE);
      return;
    }
    case Call.ARCH_DMA_SET_UNCACHED:
      if (ev === E.SET_UNCACHED_FAILED) mayFail(f, fn);
      return;
    case Call.ARCH_DMA_CLEAR_UNCACHED:
      return;
    case Call.DMA_DIRECT_FREE_PAGES: {
      const p = target(f, fn);
      if (p < 0) return;
      const pg = f.pre.layout.pages[p]!;
      // swiotlb_free() takes the page back if it is in the device's pool; otherwise dma_free_contiguous().
      const dest = pg.home === Home.RESTRICTED_POOL && pg.pool === f.pool ? Home.RESTRICTED_POOL
        : pg.home === Home.CMA_HIGHMEM ? Home.CMA_HIGHMEM : Home.BUDDY;
      giveBack(f, p, dest, dest === Home.RESTRICTED_POOL ? 'swiotlb_free' : 'dma_free_contiguous');
      return;
    }
    case Call.DMA_FREE_FROM_POOL:
    case Call.DMA_FREE_FROM_POOL_BY_PHYS:
      if (ev === E.POOL_FREED) giveBack(f, f.pre.cur(f.t), Home.ATOMIC_POOL, fn);
      return;
    case Call.SWIOTLB_MAP: {
      if (choice < 0) return mayFail(f, fn);
      take(f, choice, fn);
      // Classic: swiotlb hands out phys_to_dma_unencrypted() of the slot. v7.3 (swiotlb.c:1536-1539, 1738): the
      // encoding follows the pool's cc_shared.
      const attr = attrFor(f.platform, f.gen === 'classic' || (f.pool >= 0 ? f.world.restrictedPoolShared : f.world.swiotlbShared));
      f.obs(ObsKind.DMA_ADDR, choice, fn).attr = attr;
      n.setDma(choice, attr);
      return;
    }
    case Call.SWIOTLB_TBL_UNMAP_SINGLE: {
      const p = target(f, fn);
      if (p < 0) return;
      n.setDma(p, Attr.NONE);
      giveBack(f, p, f.pre.layout.pages[p]!.home, fn);
      return;
    }
    case Call.REMAP_PFN_RANGE: {
      const p = target(f, fn);
      if (p < 0) return;
      const attr = attrFor(f.platform, (f.locals & LOCAL_BIT.protDecrypted) !== 0);
      f.obs(ObsKind.USER_MAP, p, fn).attr = attr;
      n.setUser(p, attr);
      return;
    }
    case Call.SWIOTLB_FIND_POOL:
      return;
    case Call.SWIOTLB_FREE_FROM_POOL: {
      const p = target(f, fn);
      if (p < 0) return;
      giveBack(f, p, Home.RESTRICTED_POOL, fn);
      return;
    }
    case Call.DMA_SET_COHERENT_MASK: {
      const changed = !f.pre.maskChanged(f.t);
      n.setMaskChanged(f.t, changed);
      f.obs(ObsKind.MASK, -1, fn).reason = changed ? 'the coherent DMA mask moves to the other side of the C-bit' : 'the coherent DMA mask moves back';
      return;
    }
    case Call.DMA_ALLOC_FROM_DEV_COHERENT:
      if (choice >= 0) take(f, choice, fn);
      else mayFail(f, fn);
      return;
    case Call.DMA_RELEASE_FROM_DEV_COHERENT:
      // bitmap_release_region(): the page goes back to the region in whatever state it is (coherent.c never changes it)
      if (ev === E.POOL_FREED) giveBack(f, f.pre.cur(f.t), Home.DEV_COHERENT, fn);
      return;
    case Call.DMA_MMAP_FROM_DEV_COHERENT: {
      if (ev !== E.PFN_REMAPPED) return;
      // remap_pfn_range() with the vma prot dma_direct_mmap() set (coherent.c:248-250)
      const p = f.pre.cur(f.t);
      const attr = attrFor(f.platform, (f.locals & LOCAL_BIT.protDecrypted) !== 0);
      f.obs(ObsKind.USER_MAP, p, fn).attr = attr;
      n.setUser(p, attr);
      return;
    }
    case Call.ALLOC_PAGES:
      if (choice < 0) return mayFail(f, fn);
      take(f, choice, fn, Home.BUDDY);
      return;
    case Call.GEN_POOL_ADD_VIRT: {
      const p = target(f, fn);
      if (p < 0) return;
      if (ev === E.POOL_ADDED) giveBack(f, p, Home.ATOMIC_POOL, fn);
      else mayFail(f, fn);
      return;
    }
    case Call.FREE_PAGES: {
      const p = target(f, fn);
      if (p < 0) return;
      const o = f.obs(ObsKind.GIVE_BACK, p, fn);
      o.dest = Home.BUDDY;
      // the page came from the page allocator and was never added to the pool: it goes back where it came from
      o.home = Home.BUDDY;
      n.setLoc(p, Loc.IN_BUDDY);
      n.setCur(f.t, -1);
      return;
    }
    case Call.RMEM_PRIV: {
      if (ev === E.SWIOTLB_POOL_FOUND) return;
      // the probe holds the region (reserved memory, not yet a pool) while it sets it up
      const region = f.world.devicePool[f.t]!;
      for (let p = 0; p < f.pre.layout.pages.length; p++) if (inRegion(f.pre, p, region)) n.setLoc(p, Loc.USED, f.t);
      return;
    }
    case Call.SET_MEMORY_DECRYPTED_REGION: {
      f.obs(ObsKind.MAY_SLEEP, -1, 'set_memory_decrypted').gfpBlocking = true;
      // a stub without memory encryption (see SET_MEMORY_DECRYPTED)
      if (!f.platform.memEncryptActive) return;
      const region = f.world.devicePool[f.t]!;
      const ok = ev === E.SET_DECRYPTED_OK;
      for (let p = 0; p < f.pre.layout.pages.length; p++) {
        if (!inRegion(f.pre, p, region)) continue;
        f.obs(ObsKind.SET_DECRYPTED, p, 'set_memory_decrypted').ok = ok;
        n.setEnc(p, ok ? Enc.DEC : Enc.UNKNOWN);
      }
      return;
    }
    case Call.ADD_MEM_POOL: {
      // swiotlb_init_io_tlb_pool(), add_mem_pool(), rmem->priv = mem: the region's pages become the pool's free slots
      const region = f.world.devicePool[f.t]!;
      for (let p = 0; p < f.pre.layout.pages.length; p++) {
        if (!inRegion(f.pre, p, region)) continue;
        giveBack(f, p, Home.RESTRICTED_POOL, fn);
        n.setPoolSetUp(p, true);
      }
      return;
    }
  }
}

export { attrFor };
