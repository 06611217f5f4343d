/**
 * The semantics of a run: threads interleave at call states. One step is
 * "thread t's pending call answers with outcome o": the environment applies
 * the outcome to the world, the thread's machine moves (through its eventless
 * decisions) to its next call state or returns, and the return hands the
 * caller its result. A thread between calls takes the step `CALL` that
 * starts the next entry point of its program.
 *
 * This is the model a checker explores; it knows nothing about properties:
 * each step reports what it did as observations.
 *
 * It is also the checker's inner loop: everything that depends only on the
 * run (machines, calls, returns per program position) is tabled when the
 * model is built, and a step allocates nothing.
 */
import { forceDmaUnencrypted } from './devices.ts';
import {
  abandonRegionSetUp, applyOutcome, attrFor, Call, CALL_ID, EnvFrame, listOutcomes, outcome, outcomeChoice, outcomeEvent, OutcomeList,
} from './environment.ts';
import type { EntryPoint } from './versions.ts';
import { blankObservation, ObsKind, type Observation } from './observation.ts';
import { SESSION_STARTS } from './programs.ts';
import { runWorld, type RunSpec, type RunWorld } from './run.ts';
import { compile, INPUT_BITS, LOCAL_BIT, packInput, type CompiledMachine } from './step-cache.ts';
import { INPUT_KEYS, type MachineInput, type ReturnKind } from './machines/dma-setup.ts';
import { Attr, EVENT_ID, HANDLE_KIND_NAMES, HandleKind, Home, Loc, OUTCOME_EVENTS } from './vocabulary.ts';
import { MAX_PAGES, MAX_THREADS, THREAD_BYTES, WorldView } from './world.ts';

const F_BIT = 1 << INPUT_KEYS.indexOf('F');

/** A step's identity: thread and outcome; stable across runs of the same spec, so paths replay. */
export const actionOf = (thread: number, o: number): number => (thread << 10) | o;
export const actionThread = (a: number): number => a >> 10;
export const actionOutcome = (a: number): number => a & 1023;

export type StepEmit = (next: Uint8Array, action: number, obs: readonly Observation[], nObs: number) => void;

/**
 * Environment calls that touch only the calling thread's own page (the
 * page it holds): aliases, set_memory_*, uncached attributes. Allocator
 * and pool calls read or change free lists shared by all threads.
 */
const LOCAL_CALLS: ReadonlySet<Call> = new Set<Call>([
  Call.SET_MEMORY_DECRYPTED, Call.SET_MEMORY_ENCRYPTED, Call.DMA_COMMON_CONTIGUOUS_REMAP, Call.VUNMAP,
  Call.ARCH_DMA_SET_UNCACHED, Call.ARCH_DMA_CLEAR_UNCACHED, Call.REMAP_PFN_RANGE, Call.SWIOTLB_FIND_POOL,
  Call.DMA_SET_COHERENT_MASK, Call.DMA_MMAP_FROM_DEV_COHERENT,
  // the pool worker gives its growth page back to the page allocator, where no thread takes it
  Call.FREE_PAGES,
]);

const FREES: ReadonlySet<EntryPoint> = new Set(['dma_direct_free', 'dma_direct_free_pages', 'dma_free_attrs', 'dma_free_pages']);
const ALLOCS: ReadonlySet<EntryPoint> = new Set(['dma_direct_alloc', 'dma_direct_alloc_pages', 'dma_alloc_attrs', 'dma_alloc_pages']);

/** What a final state returns, numbered. */
const Ret = {
  NULL: 0, CPU_ADDR: 1, POOL_VADDR: 2, PAGE_COOKIE: 3, PAGE: 4, VADDR_AS_PAGE: 5, VOID: 6,
  BOUNCED_DMA_ADDR: 7, DIRECT_DMA_ADDR: 8, MAPPING_ERROR: 9, MMAP_RESULT: 10, STATUS: 11, DEV_COHERENT_CPU_ADDR: 12,
  SETUP_ERROR: 13, SHARED_DMA_ADDR: 14,
} as const;
const RET_ID: Readonly<Record<ReturnKind, number>> = {
  null: Ret.NULL, cpu_addr: Ret.CPU_ADDR, pool_vaddr: Ret.POOL_VADDR, page_cookie: Ret.PAGE_COOKIE, page: Ret.PAGE,
  vaddr_as_page: Ret.VADDR_AS_PAGE, void: Ret.VOID, bounced_dma_addr: Ret.BOUNCED_DMA_ADDR,
  direct_dma_addr: Ret.DIRECT_DMA_ADDR, mapping_error: Ret.MAPPING_ERROR, mmap_result: Ret.MMAP_RESULT, status: Ret.STATUS,
  dev_coherent_cpu_addr: Ret.DEV_COHERENT_CPU_ADDR, setup_error: Ret.SETUP_ERROR, shared_dma_addr: Ret.SHARED_DMA_ADDR,
};

/** A machine's states as numbers: the call each waits on, what each final state returns. */
interface MachineTable {
  readonly machine: CompiledMachine;
  /** per state: the environment call it waits on, or -1 */
  readonly calls: Int8Array;
  /** per state: its call touches only the calling thread's own page (see LOCAL_CALLS) */
  readonly localCalls: Uint8Array;
  /** per final state: what it returns (Ret), or -1 */
  readonly returns: Int8Array;
  /** per state: why a leak there happens */
  readonly leakReasons: readonly string[];
}

const tables = new WeakMap<CompiledMachine, MachineTable>();

function machineTable(m: CompiledMachine): MachineTable {
  let tab = tables.get(m);
  if (tab) return tab;
  const calls = Int8Array.from(m.metas, (meta) => (meta.call ? CALL_ID[meta.call] : -1));
  tab = {
    machine: m,
    calls,
    localCalls: Uint8Array.from(calls, (c) => (c >= 0 && LOCAL_CALLS.has(c as Call) ? 1 : 0)),
    returns: Int8Array.from(m.metas, (meta) => (meta.returns ? RET_ID[meta.returns] : -1)),
    leakReasons: m.stateNames.map((n) => `${n}: not freed`),
  };
  tables.set(m, tab);
  return tab;
}

/** One position of one thread's program. */
interface Position {
  readonly entryPoint: EntryPoint;
  readonly table: MachineTable;
  readonly allocates: boolean;
  readonly frees: boolean;
  readonly startsSession: boolean;
}

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function copyBytes(from: Uint8Array, to: Uint8Array): void {
  for (let i = 0; i < to.length; i++) to[i] = from[i]!;
}

export class RunModel {
  readonly world: RunWorld;
  readonly stateBytes: number;
  /** per thread, per program position: the compiled machine */
  readonly machines: readonly (readonly CompiledMachine[])[];
  /** per thread, per program position: machine tables and entry-point facts */
  private readonly positions: readonly (readonly Position[])[];
  private readonly programLength: Int32Array;
  private readonly pre: WorldView;
  private readonly next: WorldView;
  private readonly scratch: Uint8Array;
  private readonly obsPool: Observation[] = [];
  private nObs = 0;
  private readonly outcomes = new OutcomeList();
  private readonly baseInput: MachineInput;
  private readonly frame: EnvFrame;

  constructor(readonly spec: RunSpec) {
    this.world = runWorld(spec);
    this.stateBytes = this.world.layout.bytes;
    this.machines = spec.programs.map((prog) => prog.map((ep) => compile(spec.version.machines[ep])));
    this.positions = spec.programs.map((prog, t) => prog.map((ep, pc) => ({
      entryPoint: ep,
      table: machineTable(this.machines[t]![pc]!),
      allocates: ALLOCS.has(ep),
      frees: FREES.has(ep),
      startsSession: SESSION_STARTS.has(ep),
    })));
    this.programLength = Int32Array.from(spec.programs, (p) => p.length);
    // whole words underneath, the padding zero: a checker may read a successor as 32-bit words
    this.scratch = new Uint8Array(new ArrayBuffer(4 * Math.ceil(this.stateBytes / 4)), 0, this.stateBytes);
    this.pre = new WorldView(this.world.layout, this.scratch);
    this.next = new WorldView(this.world.layout, this.scratch);
    const p = spec.platform;
    this.baseInput = this.baseInputOf(false, false);
    // indexed by handle kind | mask changed << 4 | pool detached << 5
    this.inputByKind = Int32Array.from({ length: 64 }, (_, i) => packInput({
      ...this.baseInputOf((i & 16) !== 0, (i & 32) !== 0),
      cpuAddrIsVmalloc: (i & 15) === HandleKind.VMAP || ((i & 15) === HandleKind.POOL_VADDR && p.kconfig.DMA_DIRECT_REMAP),
      swiotlbBuffer: (i & 15) === HandleKind.BOUNCED,
    }));
    this.symBest = new Uint8Array(this.stateBytes);
    this.symCand = new Uint8Array(this.stateBytes);
    this.sym = this.symmetryOf();
    this.frame = new EnvFrame(p, this.world, this.pre, this.next, (kind, page, fn) => this.record(kind, page, fn));
    this.frame.gen = spec.version.env;
  }

  /**
   * Symmetry reduction: rewrite `state` into the canonical member of its
   * class. Threads with the same program are interchangeable (their devices
   * have the same configuration; a pool of one's own moves with its
   * thread), and so are pages of one allocator or pool: the canonical
   * member is the byte-wise least over the thread permutations, with pages
   * of a group sorted by their state and by which thread refers to them.
   */
  canonicalize(state: Uint8Array): void {
    if (!this.sym) return;
    const { perms, groups, ownPool } = this.sym;
    const best = this.symBest;
    const cand = this.symCand;
    // A candidate starts with the first three record bytes of the thread that becomes thread 0, which
    // no page renaming changes: only the permutations with the least such bytes can give the least candidate.
    let lead = 0x7fffffff;
    let leaders = 0;
    for (let i = 0; i < perms.length; i++) {
      const l = this.recordLead(state, perms[i]![0]!);
      if (l < lead) { lead = l; leaders = 0; }
      if (l === lead) leaders++;
    }
    let have = false;
    for (let i = 0; i < perms.length; i++) {
      if (this.recordLead(state, perms[i]![0]!) !== lead) continue;
      if (leaders === 1) {
        // one candidate: unless it is `state` itself (no thread moves, every group in order), write it
        if (i === this.sym.identity && this.pagesInOrder(state, groups)) return;
        this.permute(state, perms[i]!, groups, ownPool, cand);
        copyBytes(cand, state);
        return;
      }
      this.permute(state, perms[i]!, groups, ownPool, cand);
      if (!have || lessThan(cand, best)) copyBytes(cand, best);
      have = true;
    }
    copyBytes(best, state);
  }

  /** Whether the pages of every group are already sorted by their key (their bytes and the threads referring to them). */
  private pagesInOrder(state: Uint8Array, groups: readonly (readonly number[])[]): boolean {
    const T = this.world.layout.threads;
    const base = T * THREAD_BYTES;
    const refs = this.symRefs;
    const nPages = this.world.layout.pages.length;
    for (let p = 0; p < nPages; p++) refs[p] = 0;
    for (let k = 0; k < T; k++) {
      const b3 = state[k * THREAD_BYTES + 3]!;
      const cur = (b3 & 15) - 1;
      const hp = (b3 >> 4) - 1;
      if (cur >= 0) refs[cur] |= 1 << (2 * k);
      if (hp >= 0) refs[hp] |= 2 << (2 * k);
    }
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi]!;
      let prev = -1;
      for (let i = 0; i < g.length; i++) {
        const p = g[i]!;
        const key = (state[base + 2 * p]! << 16) | (state[base + 2 * p + 1]! << 8) | refs[p]!;
        if (key < prev) return false;
        prev = key;
      }
    }
    return true;
  }

  /** The first three bytes of thread t's record. */
  private recordLead(state: Uint8Array, t: number): number {
    const i = t * THREAD_BYTES;
    return (state[i]! << 16) | (state[i + 1]! << 8) | state[i + 2]!;
  }

  /** Write into `out` the member of the class of `state` whose thread k is thread perm[k] of `state`, with the pages of each group sorted. */
  private permute(state: Uint8Array, perm: readonly number[], groups: readonly (readonly number[])[], ownPool: readonly number[], out: Uint8Array): void {
    const T = perm.length;
    const tb = THREAD_BYTES;
    const base = T * tb;
    const nPages = this.world.layout.pages.length;
    const inv = this.symInv;
    const curOf = this.symCur;
    const handleOf = this.symHandle;
    const refs = this.symRefs;
    const byte0 = this.symByte0;
    const keys = this.symKeys;
    const newIndex = this.symNewIndex;
    for (let p = 0; p < nPages; p++) refs[p] = 0;
    for (let k = 0; k < T; k++) {
      const o = perm[k]!;
      inv[o] = k;
      // byte 3 of a thread record: current page + 1 | handle page + 1 (models/world.ts)
      const b3 = state[o * tb + 3]!;
      const cur = (b3 & 15) - 1;
      const hp = (b3 >> 4) - 1;
      curOf[k] = cur;
      handleOf[k] = hp;
      // which (new) thread refers to each page, and how
      if (cur >= 0) refs[cur] |= 1 << (2 * k);
      if (hp >= 0) refs[hp] |= 2 << (2 * k);
    }
    for (let p = 0; p < nPages; p++) {
      const b0 = state[base + 2 * p]!;
      // a held page's holder is renamed with its thread (a page held outside the run's threads keeps its holder)
      const b0r = (b0 & 3) === Loc.USED && ((b0 >> 4) & 3) < T ? (b0 & 0b1111) | (inv[(b0 >> 4) & 3]! << 4) : b0;
      byte0[p] = b0r;
      keys[p] = (b0r << 16) | (state[base + 2 * p + 1]! << 8) | refs[p]!;
      // pages of a pool of one's own go where their thread goes
      if (ownPool[p]! >= 0) newIndex[p] = this.ownPoolPage[inv[ownPool[p]!]!]!;
    }
    const sorted = this.symSort;
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi]!;
      // insertion sort of the group's pages by (key, index)
      for (let i = 0; i < g.length; i++) {
        const p = g[i]!;
        let j = i;
        while (j > 0 && (keys[sorted[j - 1]!]! > keys[p]! || (keys[sorted[j - 1]!] === keys[p] && sorted[j - 1]! > p))) {
          sorted[j] = sorted[j - 1]!;
          j--;
        }
        sorted[j] = p;
      }
      for (let i = 0; i < g.length; i++) newIndex[sorted[i]!] = g[i]!;
    }
    for (let k = 0; k < T; k++) {
      const o = perm[k]! * tb;
      out[k * tb] = state[o]!;
      out[k * tb + 1] = state[o + 1]!;
      out[k * tb + 2] = state[o + 2]!;
      const cur = curOf[k]!;
      const hp = handleOf[k]!;
      out[k * tb + 3] = (cur < 0 ? 0 : newIndex[cur]! + 1) | ((hp < 0 ? 0 : newIndex[hp]! + 1) << 4);
    }
    for (let p = 0; p < nPages; p++) {
      const to = base + 2 * newIndex[p]!;
      out[to] = byte0[p]!;
      out[to + 1] = state[base + 2 * p + 1]!;
    }
  }

  /** thread permutations (`identity` is the index of the identity), page groups, and each page's own-pool thread or -1 */
  private readonly sym: { perms: number[][]; identity: number; groups: number[][]; ownPool: number[] } | undefined;
  private readonly symBest: Uint8Array;
  private readonly symCand: Uint8Array;
  private readonly symInv = new Int32Array(MAX_THREADS);
  private readonly symCur = new Int32Array(MAX_THREADS);
  private readonly symHandle = new Int32Array(MAX_THREADS);
  private readonly symNewIndex = new Int32Array(MAX_PAGES);
  private readonly symRefs = new Int32Array(MAX_PAGES);
  private readonly symByte0 = new Int32Array(MAX_PAGES);
  private readonly symKeys = new Int32Array(MAX_PAGES);
  private readonly symSort = new Int32Array(MAX_PAGES);
  private readonly ownPoolPage = new Int32Array(MAX_THREADS);

  private symmetryOf(): { perms: number[][]; identity: number; groups: number[][]; ownPool: number[] } | undefined {
    const progs = this.spec.programs;
    const T = progs.length;
    const same = (a: number, b: number) => progs[a]!.join() === progs[b]!.join();
    const perms: number[][] = [];
    const rec = (acc: number[]) => {
      if (acc.length === T) { perms.push(acc.slice()); return; }
      for (let o = 0; o < T; o++) if (!acc.includes(o) && same(o, acc.length)) { acc.push(o); rec(acc); acc.pop(); }
    };
    rec([]);
    const pages = this.world.layout.pages;
    const own = this.spec.device.pool === 'own';
    const ownPool = pages.map((pg) => (own && pg.home === Home.RESTRICTED_POOL ? pg.pool : -1));
    ownPool.forEach((t, p) => { if (t >= 0) this.ownPoolPage[t] = p; });
    const byGroup = new Map<string, number[]>();
    pages.forEach((pg, p) => {
      if (ownPool[p]! >= 0) return;
      const k = `${pg.home}/${pg.pool}/${pg.poolGrowth ? 'growth' : ''}`;
      byGroup.set(k, [...(byGroup.get(k) ?? []), p]);
    });
    const groups = [...byGroup.values()];
    if (perms.length === 1 && groups.every((g) => g.length === 1)) return undefined;
    return { perms, identity: perms.findIndex((perm) => perm.every((o, k) => o === k)), groups, ownPool };
  }

  /** The initial state. */
  initial(out: Uint8Array): void {
    const v = new WorldView(this.world.layout, out);
    v.writeInitial();
    for (let t = 0; t < this.world.layout.threads; t++) this.skipUnusable(v, t);
  }

  /** Input bits of thread t's next or running call (they depend only on the handle kind). */
  inputBits(v: WorldView, t: number): number {
    return this.inputByKind[v.handleKind(t) | (v.maskChanged(t) ? 16 : 0) | (v.poolDetached(t) ? 32 : 0)]!;
  }

  private readonly inputByKind: Int32Array;

  /**
   * The input of a call on this run's device, after dma_set_coherent_mask()
   * moved its mask to the other side when `maskChanged`, and without its
   * restricted pool when its set-up failed (`poolDetached`).
   */
  private baseInputOf(maskChanged: boolean, poolDetached: boolean): MachineInput {
    const p = this.spec.platform;
    const d = this.spec.device;
    const F = forceDmaUnencrypted(p, maskChanged && d.mask ? { ...d, mask: d.mask === 'below' ? 'above' : 'below' } : d);
    const R = this.spec.device.pool !== 'none' && !poolDetached;
    return {
      F, R, C: this.spec.device.coherent, B: this.spec.device.gfp === 'blocking', NKM: this.spec.device.nkm,
      remapConfig: p.kconfig.DMA_DIRECT_REMAP, coherentPoolConfig: p.kconfig.DMA_COHERENT_POOL,
      setUncachedConfig: p.kconfig.ARCH_HAS_DMA_SET_UNCACHED, highmemCmaConfig: p.kconfig.HIGHMEM,
      cpuAddrIsVmalloc: false, forceBounce: R || (F && p.bounceWhenForced), swiotlbBuffer: false,
      devCoherent: d.devmem === true, callerShared: false, ccMemEncrypt: p.ccMemEncrypt,
    };
  }

  /**
   * Partial-order reduction: a thread whose pending step is local (it reads
   * and writes only its own record and pages it holds, so it commutes with
   * every step of every other thread and no other step can enable or
   * disable it), or -1. Exploring only that thread's steps from this state
   * keeps every reachable violation: the state graph is acyclic (program
   * counters only grow) and properties judge a step by its own effects.
   */
  localThread(state: Uint8Array): number {
    const v = this.pre;
    v.buf = state;
    const T = this.world.layout.threads;
    for (let t = 0; t < T; t++) {
      const ms = v.mstate(t);
      if (ms === 0) {
        if (v.pc(t) < this.programLength[t]!) return t;
        continue;
      }
      if (this.positions[t]![v.pc(t)]!.table.localCalls[ms - 1] === 0) continue;
      const cur = v.cur(t);
      if (cur >= 0 && v.loc(cur) === Loc.USED && v.holder(cur) === t) return t;
    }
    return -1;
  }

  /** The entry point thread t runs or will run next, or undefined when its program is done. */
  entryPoint(v: WorldView, t: number): EntryPoint | undefined {
    return this.spec.programs[t]![v.pc(t)];
  }

  /**
   * Every step from `state`, in a deterministic order (threads ascending,
   * outcomes in environment order); with `por`, only the steps of the
   * first local thread when there is one.
   */
  successors(state: Uint8Array, emit: StepEmit, por = false): void {
    const T = this.world.layout.threads;
    const only = por ? this.localThread(state) : -1;
    for (let t = 0; t < T; t++) if (only < 0 || t === only) this.threadSuccessors(state, t, emit);
  }

  /**
   * The steps of thread t from `state`, in environment order. A step reads
   * and writes only thread t's record and the pages, never another
   * thread's record: its successors, actions and observations are a
   * function of those bytes (checkers reuse them across states).
   */
  threadSuccessors(state: Uint8Array, t: number, emit: StepEmit): void {
    const pre = this.pre;
    const f = this.frame;
    const outs = this.outcomes;
    pre.buf = state;
    const pc = pre.pc(t);
    if (pc >= this.programLength[t]!) return;
    const pos = this.positions[t]![pc]!;
    const ms = pre.mstate(t);
    if (ms === 0) {
      this.stepStart(state, t, pos, emit);
      return;
    }
    const s = ms - 1;
    const call = pos.table.calls[s]! as Call;
    const m = pos.table.machine;
    f.t = t;
    f.locals = pre.locals(t);
    f.gfpBlocking = !pos.allocates || this.baseInput.B;
    const input = this.inputBits(pre, t);
    f.F = (input & F_BIT) !== 0;
    f.pool = pre.poolDetached(t) ? -1 : this.world.devicePool[t]!;
    outs.length = 0;
    listOutcomes(call, f, outs);
    const ctx = input | (f.locals << INPUT_BITS);
    const n = outs.length;
    for (let i = 0; i < n; i++) {
      const o = outs.items[i]!;
      // `emit` may have re-pointed the views (e.g. a nested step): set them again
      pre.buf = state;
      this.next.buf = this.scratch;
      copyBytes(state, this.scratch);
      this.nObs = 0;
      f.t = t;
      applyOutcome(call, f, o);
      const packed = m.step(s, ctx, outcomeEvent(o));
      if (packed < 0)
        throw new Error(`model error: ${m.id}.${m.stateNames[s]} has no transition for ${OUTCOME_EVENTS[outcomeEvent(o)]}`);
      this.enter(t, pos, packed);
      this.finishObservations();
      emit(this.scratch, actionOf(t, o), this.obsPool, this.nObs);
    }
  }

  /** Start thread t's next entry point. */
  private stepStart(state: Uint8Array, t: number, pos: Position, emit: StepEmit): void {
    const pre = this.pre;
    const n = this.next;
    copyBytes(state, this.scratch);
    n.buf = this.scratch;
    this.nObs = 0;
    this.frame.t = t;
    const kind = pre.handleKind(t);
    const hp = pre.handlePage(t);
    n.setCur(t, kind === HandleKind.BOGUS_PAGE ? -1 : hp);
    if (pos.frees && hp >= 0 && (pre.user(hp) !== Attr.NONE || pre.dma(hp) !== Attr.NONE)) {
      // The driver unmaps the user mapping and stops the device before freeing.
      this.record(ObsKind.QUIESCE, hp, pos.entryPoint);
      n.setUser(hp, Attr.NONE);
      n.setDma(hp, Attr.NONE);
    }
    this.enter(t, pos, pos.table.machine.start(this.inputBits(pre, t)));
    this.finishObservations();
    emit(this.scratch, actionOf(t, outcome(EVENT_ID.CALL)), this.obsPool, this.nObs);
  }

  /** Put thread t in machine state `packed`; if it is final, return to the caller. */
  private enter(t: number, pos: Position, packed: number): void {
    const s = packed & 255;
    const locals = packed >> 8;
    if (!pos.table.machine.finals[s]) {
      this.next.setMachine(t, s + 1, locals);
      return;
    }
    this.returnToCaller(t, pos, s, locals);
  }

  private returnToCaller(t: number, pos: Position, s: number, locals: number): void {
    const n = this.next;
    const tab = pos.table;
    const cur = n.cur(t);
    const ep = pos.entryPoint;
    if (tab.machine.metas[s]!.leak && cur >= 0) {
      this.record(ObsKind.LEAK, cur, ep).reason = tab.leakReasons[s]!;
      n.setLoc(cur, Loc.LEAKED);
    }
    let kind: number = n.handleKind(t);
    let page = n.handlePage(t);
    const dmaAttr = attrFor(this.spec.platform, (locals & LOCAL_BIT.dmaUnencrypted) !== 0);
    const ret = tab.returns[s]!;
    switch (ret) {
      case Ret.NULL: case Ret.MAPPING_ERROR: case Ret.VOID: kind = HandleKind.NONE; page = -1; break;
      case Ret.CPU_ADDR:
        kind = locals & LOCAL_BIT.remap ? HandleKind.VMAP : locals & LOCAL_BIT.setUncached ? HandleKind.UNCACHED : HandleKind.LINEAR;
        page = cur; this.handOut(cur, ep, dmaAttr); break;
      case Ret.POOL_VADDR: kind = HandleKind.POOL_VADDR; page = cur; this.handOut(cur, ep, dmaAttr); break;
      case Ret.DEV_COHERENT_CPU_ADDR: kind = HandleKind.DEV_COHERENT; page = cur; this.handOut(cur, ep, dmaAttr); break;
      case Ret.PAGE_COOKIE: kind = HandleKind.PAGE_COOKIE; page = cur; this.handOut(cur, ep, dmaAttr); break;
      case Ret.PAGE: kind = HandleKind.PAGE; page = cur; this.handOut(cur, ep, dmaAttr); break;
      case Ret.VADDR_AS_PAGE:
        this.handOut(cur, ep, dmaAttr);
        this.record(ObsKind.BOGUS_POINTER, cur, ep).reason = 'the CPU address of the pool chunk is returned as its struct page *';
        kind = HandleKind.BOGUS_PAGE; page = -1; break;
      case Ret.BOUNCED_DMA_ADDR: kind = HandleKind.BOUNCED; page = cur; break;
      case Ret.DIRECT_DMA_ADDR: kind = HandleKind.DIRECT_MAPPED; page = -1; break;
      // the caller's own buffer gets the DMA address the machine encoded; the caller keeps no page of dma-direct's
      case Ret.SHARED_DMA_ADDR: this.handOut(this.world.sharedBuffer, ep, dmaAttr); kind = HandleKind.DIRECT_MAPPED; page = -1; break;
      case Ret.MMAP_RESULT: case Ret.STATUS: break;
      case Ret.SETUP_ERROR: kind = HandleKind.NONE; page = -1; abandonRegionSetUp(this.frame); break;
      default: throw new Error(`model error: ${ep}.${tab.machine.stateNames[s]} is final without meta.returns`);
    }
    n.setHandle(t, kind, page);
    this.record(ObsKind.RETURN, page, ep).result =
      ret === Ret.VOID ? 'void' : ret === Ret.MMAP_RESULT || ret === Ret.STATUS ? '0' : ret === Ret.SETUP_ERROR ? 'error' : kind === HandleKind.NONE ? 'NULL' : HANDLE_KIND_NAMES[kind]!;
    // A page still held by this thread but not reachable from its handle is lost.
    const nPages = this.world.layout.pages.length;
    for (let p = 0; p < nPages; p++) {
      if (n.loc(p) === Loc.USED && n.holder(p) === t && p !== page) {
        this.record(ObsKind.LEAK, p, ep).reason = 'lost: the caller holds no pointer to it';
        n.setLoc(p, Loc.LEAKED);
      }
    }
    n.setMachine(t, 0, 0);
    n.setCur(t, -1);
    n.setPc(t, n.pc(t) + 1);
    this.skipUnusable(n, t);
  }

  /** The DMA address of the returned buffer goes to the device. */
  private handOut(page: number, ep: string, attr: Attr): void {
    this.record(ObsKind.DMA_ADDR, page, ep).attr = attr;
    this.next.setDma(page, attr);
  }

  /** A driver skips the rest of a session whose buffer it did not get. */
  private skipUnusable(v: WorldView, t: number): void {
    const len = this.programLength[t]!;
    const prog = this.positions[t]!;
    while (v.pc(t) < len && !prog[v.pc(t)]!.startsSession && v.handleKind(t) === HandleKind.NONE) v.setPc(t, v.pc(t) + 1);
  }

  private record(kind: number, page: number, fn: string): Observation {
    if (this.nObs === this.obsPool.length) this.obsPool.push(blankObservation());
    const o = this.obsPool[this.nObs++]!;
    const pre = this.pre;
    o.kind = kind as Observation['kind'];
    o.thread = this.frame.t;
    o.page = page;
    o.fn = fn;
    o.ok = true;
    o.attr = Attr.NONE;
    o.gfpBlocking = true;
    o.result = '';
    o.reason = '';
    if (page >= 0) {
      o.encBefore = pre.enc(page);
      o.locBefore = pre.loc(page);
      o.holderBefore = pre.holder(page);
      const pg = this.world.layout.pages[page]!;
      o.home = pg.home;
      o.setUpEnc = pg.setUpEnc ?? pg.initialEnc;
      o.dest = o.home;
    } else {
      o.dest = Home.BUDDY;
    }
    return o;
  }

  private finishObservations(): void {
    const n = this.next;
    for (let i = 0; i < this.nObs; i++) {
      const o = this.obsPool[i]!;
      if (o.page < 0) continue;
      o.encAfter = n.enc(o.page);
      o.locAfter = n.loc(o.page);
      o.unpublished = this.world.layout.pages[o.page]!.poolGrowth === true && o.locAfter === Loc.USED;
      o.vmap = n.vmap(o.page);
      o.user = n.user(o.page);
      o.dma = n.dma(o.page);
    }
  }

  /** Human-readable description of an action (for traces). */
  describeAction(action: number): { thread: number; event: string; page: number } {
    const o = actionOutcome(action);
    return { thread: actionThread(action), event: OUTCOME_EVENTS[outcomeEvent(o)]!, page: outcomeChoice(o) };
  }
}
