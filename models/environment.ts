/**
 * The environment dma-direct calls into, as nondeterministic functions over
 * the world: which outcomes a call can have in the current world (failure
 * injection lives here, not in the machines), and what each outcome does to
 * the pages. Facts §5.
 *
 * ABSTRACTION: allocators and pools may fail at any call (exhaustion by other
 * users); of several free pages in identical states only the first is
 * offered (the others give isomorphic runs).
 */
import type { EnvCall, StateMeta } from './machines/dma-setup.ts';
import type { Observation } from './observation.ts';
import { ObsKind } from './observation.ts';
import type { Platform } from './platforms.ts';
import type { RunWorld } from './run.ts';
import { LOCAL_BIT } from './step-cache.ts';
import { Attr, EVENT_ID as E, Enc, HandleKind, Home, Loc } from './vocabulary.ts';
import type { WorldView } from './world.ts';

/** Everything a call sees while one thread takes one step. */
export interface EnvFrame {
  readonly platform: Platform;
  readonly world: RunWorld;
  /** the state before the step (read only) */
  readonly pre: WorldView;
  /** the state being built */
  readonly next: WorldView;
  readonly t: number;
  /** machine locals of the thread (LOCAL_BIT masks) */
  readonly locals: number;
  /** gfpflags_allow_blocking() of the running call (true outside allocations) */
  readonly gfpBlocking: boolean;
  /** record an observation about `page` (-1 for none); before-fields are filled from `pre` */
  obs(kind: ObsKind, page: number, fn: string): Observation;
}

/** An outcome: event id, and the page chosen (-1 for none). */
export const outcome = (event: number, choice = -1): number => event | ((choice + 1) << 5);
export const outcomeEvent = (o: number): number => o & 31;
export const outcomeChoice = (o: number): number => (o >> 5) - 1;

/** Attribute of a prot or DMA address made "decrypted" when `decrypted`, on this platform. */
function attrFor(platform: Platform, decrypted: boolean): Attr {
  return decrypted && platform.memEncryptActive ? Attr.DEC : Attr.ENC;
}

/** Free pages satisfying `ok`, skipping pages whose packed state equals an earlier candidate's. */
function freeCandidates(w: WorldView, ok: (p: number) => boolean, out: number[], event: number): void {
  const pages = w.layout.pages;
  const seen: number[] = [];
  for (let p = 0; p < pages.length; p++) {
    if (!ok(p)) continue;
    const sig = (w.loc(p) | (w.enc(p) << 2) | (w.vmap(p) << 4) | (w.user(p) << 6) | (w.dma(p) << 8)) * 8 + pages[p]!.home;
    if (seen.includes(sig)) continue;
    seen.push(sig);
    out.push(outcome(event, p));
  }
}

function devicePool(f: EnvFrame): number {
  return f.world.devicePool[f.t]!;
}

/** Pages the call can pick from, per allocating call. */
function isFreeSlotOf(w: WorldView, p: number, pool: number): boolean {
  const pg = w.layout.pages[p]!;
  return pg.home === Home.RESTRICTED_POOL && pg.pool === pool && w.loc(p) === Loc.FREE;
}

/** Push the outcomes `call` can have now. */
export function listOutcomes(call: EnvCall, f: EnvFrame, out: number[]): void {
  const w = f.pre;
  const pages = w.layout.pages;
  const canFail = f.platform.setMemoryCanFail && f.platform.memEncryptActive;
  switch (call) {
    case 'swiotlb_alloc': {
      const pool = devicePool(f);
      freeCandidates(w, (p) => isFreeSlotOf(w, p, pool), out, E.SWIOTLB_ALLOC_OK);
      out.push(outcome(E.SWIOTLB_ALLOC_FAILED));
      return;
    }
    case 'dma_alloc_contiguous':
      // kernel/dma/contiguous.c: CMA may sleep, so dma_alloc_contiguous() returns NULL for a non-blocking gfp.
      if (f.gfpBlocking)
        freeCandidates(w, (p) => pages[p]!.home === Home.CMA_HIGHMEM && w.loc(p) === Loc.FREE, out, E.CMA_HIGHMEM_PAGE);
      out.push(outcome(E.CMA_NONE));
      return;
    case 'dma_free_contiguous':
      out.push(outcome(E.CMA_RELEASED));
      return;
    case 'alloc_pages_node':
      freeCandidates(w, (p) => (pages[p]!.home === Home.BUDDY && w.loc(p) === Loc.FREE) || w.loc(p) === Loc.IN_BUDDY, out, E.BUDDY_PAGE);
      out.push(outcome(E.BUDDY_FAILED));
      return;
    case 'dma_alloc_from_pool':
      freeCandidates(w, (p) => pages[p]!.home === Home.ATOMIC_POOL && w.loc(p) === Loc.FREE, out, E.POOL_ALLOC_OK);
      out.push(outcome(E.POOL_ALLOC_FAILED));
      return;
    case 'set_memory_decrypted':
      out.push(outcome(E.SET_DECRYPTED_OK));
      if (canFail && w.cur(f.t) >= 0) out.push(outcome(E.SET_DECRYPTED_FAILED));
      return;
    case 'set_memory_encrypted':
      out.push(outcome(E.SET_ENCRYPTED_OK));
      if (canFail && w.cur(f.t) >= 0) out.push(outcome(E.SET_ENCRYPTED_FAILED));
      return;
    case 'dma_common_contiguous_remap':
      out.push(outcome(E.REMAP_OK), outcome(E.REMAP_FAILED));
      return;
    case 'arch_dma_set_uncached':
      out.push(outcome(E.SET_UNCACHED_OK), outcome(E.SET_UNCACHED_FAILED));
      return;
    case 'vunmap':
      out.push(outcome(E.VUNMAPPED));
      return;
    case 'arch_dma_clear_uncached':
      out.push(outcome(E.UNCACHED_CLEARED));
      return;
    case '__dma_direct_free_pages':
      out.push(outcome(E.PAGES_FREED));
      return;
    case 'dma_free_from_pool':
      out.push(outcome(poolLookupHits(f) ? E.POOL_FREED : E.NOT_IN_POOL));
      return;
    case 'swiotlb_map': {
      const pool = devicePool(f);
      if (pool >= 0) freeCandidates(w, (p) => isFreeSlotOf(w, p, pool), out, E.BOUNCE_MAPPED);
      else freeCandidates(w, (p) => pages[p]!.home === Home.SWIOTLB && w.loc(p) === Loc.FREE, out, E.BOUNCE_MAPPED);
      out.push(outcome(E.BOUNCE_MAP_FAILED));
      return;
    }
    case 'swiotlb_tbl_unmap_single':
      out.push(outcome(E.BOUNCE_UNMAPPED));
      return;
    case 'remap_pfn_range':
      out.push(outcome(E.PFN_REMAPPED));
      return;
  }
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

function take(f: EnvFrame, p: number, fn: string): void {
  f.obs(ObsKind.TAKE, p, fn).dest = f.pre.layout.pages[p]!.home;
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
export function applyOutcome(call: EnvCall, meta: StateMeta, f: EnvFrame, o: number): void {
  const ev = outcomeEvent(o);
  const choice = outcomeChoice(o);
  const n = f.next;
  void meta;
  switch (call) {
    case 'swiotlb_alloc':
    case 'dma_alloc_contiguous':
    case 'alloc_pages_node':
    case 'dma_alloc_from_pool':
      if (choice >= 0) take(f, choice, call);
      else if (ev !== E.CMA_NONE) mayFail(f, call);
      return;
    case 'dma_free_contiguous': {
      const p = target(f, call);
      if (p < 0) return;
      giveBack(f, p, f.pre.layout.pages[p]!.home === Home.CMA_HIGHMEM ? Home.CMA_HIGHMEM : Home.BUDDY, call);
      n.setCur(f.t, -1);
      return;
    }
    case 'set_memory_decrypted':
    case 'set_memory_encrypted': {
      f.obs(ObsKind.MAY_SLEEP, f.pre.cur(f.t), call).gfpBlocking = f.gfpBlocking;
      const p = target(f, call);
      if (p < 0) return;
      const ok = ev === E.SET_DECRYPTED_OK || ev === E.SET_ENCRYPTED_OK;
      f.obs(call === 'set_memory_decrypted' ? ObsKind.SET_DECRYPTED : ObsKind.SET_ENCRYPTED, p, call).ok = ok;
      if (!f.platform.memEncryptActive) return;
      n.setEnc(p, ok ? (call === 'set_memory_decrypted' ? Enc.DEC : Enc.ENC) : Enc.UNKNOWN);
      return;
    }
    case 'dma_common_contiguous_remap': {
      f.obs(ObsKind.MAY_SLEEP, f.pre.cur(f.t), call).gfpBlocking = f.gfpBlocking;
      if (ev === E.REMAP_FAILED) return mayFail(f, call);
      const p = target(f, call);
      if (p < 0) return;
      const attr = attrFor(f.platform, (f.locals & LOCAL_BIT.protDecrypted) !== 0);
      f.obs(ObsKind.VMAP, p, call).attr = attr;
      n.setVmap(p, attr);
      return;
    }
    case 'vunmap': {
      const p = target(f, call);
      if (p < 0) return;
      f.obs(ObsKind.VMAP, p, call).attr = Attr.NONE;
      n.setVmap(p, Attr.NONE);
      return;
    }
    case 'arch_dma_set_uncached':
      if (ev === E.SET_UNCACHED_FAILED) mayFail(f, call);
      return;
    case 'arch_dma_clear_uncached':
      return;
    case '__dma_direct_free_pages': {
      const p = target(f, call);
      if (p < 0) return;
      const pg = f.pre.layout.pages[p]!;
      // swiotlb_free() takes the page back if it is in the device's pool; otherwise dma_free_contiguous().
      const dest = pg.home === Home.RESTRICTED_POOL && pg.pool === f.world.devicePool[f.t] ? Home.RESTRICTED_POOL
        : pg.home === Home.CMA_HIGHMEM ? Home.CMA_HIGHMEM : Home.BUDDY;
      giveBack(f, p, dest, dest === Home.RESTRICTED_POOL ? 'swiotlb_free' : 'dma_free_contiguous');
      return;
    }
    case 'dma_free_from_pool':
      if (ev === E.POOL_FREED) giveBack(f, f.pre.cur(f.t), Home.ATOMIC_POOL, call);
      return;
    case 'swiotlb_map': {
      if (choice < 0) return mayFail(f, call);
      take(f, choice, call);
      // swiotlb hands out phys_to_dma_unencrypted() of the slot.
      const attr = attrFor(f.platform, true);
      f.obs(ObsKind.DMA_ADDR, choice, call).attr = attr;
      n.setDma(choice, attr);
      return;
    }
    case 'swiotlb_tbl_unmap_single': {
      const p = target(f, call);
      if (p < 0) return;
      n.setDma(p, Attr.NONE);
      giveBack(f, p, f.pre.layout.pages[p]!.home, call);
      return;
    }
    case 'remap_pfn_range': {
      const p = target(f, call);
      if (p < 0) return;
      const attr = attrFor(f.platform, (f.locals & LOCAL_BIT.protDecrypted) !== 0);
      f.obs(ObsKind.USER_MAP, p, call).attr = attr;
      n.setUser(p, attr);
      return;
    }
  }
}

export { attrFor };
