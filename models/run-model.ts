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
 */
import { forceDmaUnencrypted } from './devices.ts';
import { applyOutcome, listOutcomes, outcome, outcomeChoice, outcomeEvent, type EnvFrame } from './environment.ts';
import type { EntryPoint } from './versions.ts';
import { blankObservation, ObsKind, type Observation } from './observation.ts';
import { SESSION_STARTS } from './programs.ts';
import { runWorld, type RunSpec, type RunWorld } from './run.ts';
import { compile, INPUT_BITS, LOCAL_BIT, packInput, type CompiledMachine } from './step-cache.ts';
import type { MachineInput } from './machines/dma-setup.ts';
import { attrFor } from './environment.ts';
import { Attr, EVENT_ID, HANDLE_KIND_NAMES, HandleKind, Home, Loc, OUTCOME_EVENTS } from './vocabulary.ts';
import { WorldView } from './world.ts';

/** A step's identity: thread and outcome; stable across runs of the same spec, so paths replay. */
export const actionOf = (thread: number, o: number): number => (thread << 10) | o;
export const actionThread = (a: number): number => a >> 10;
export const actionOutcome = (a: number): number => a & 1023;

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

export type StepEmit = (next: Uint8Array, action: number, obs: readonly Observation[], nObs: number) => void;

/**
 * Environment calls that touch only the calling thread's own page (the
 * page it holds): aliases, set_memory_*, uncached attributes. Allocator
 * and pool calls read or change free lists shared by all threads.
 */
const LOCAL_CALLS: ReadonlySet<string> = new Set([
  'set_memory_decrypted', 'set_memory_encrypted', 'dma_common_contiguous_remap', 'vunmap',
  'arch_dma_set_uncached', 'arch_dma_clear_uncached', 'remap_pfn_range',
]);

const FREES: ReadonlySet<EntryPoint> = new Set(['dma_direct_free', 'dma_direct_free_pages']);
const ALLOCS: ReadonlySet<EntryPoint> = new Set(['dma_direct_alloc', 'dma_direct_alloc_pages']);

export class RunModel {
  readonly world: RunWorld;
  readonly stateBytes: number;
  /** per thread, per program position: the compiled machine */
  readonly machines: readonly (readonly CompiledMachine[])[];
  private readonly pre: WorldView;
  private readonly next: WorldView;
  private readonly scratch: Uint8Array;
  private readonly obsPool: Observation[] = [];
  private nObs = 0;
  private readonly outcomes: number[] = [];
  private readonly baseInput: MachineInput;
  private frameT = 0;
  private frameLocals = 0;
  private frameGfp = true;
  private readonly frame: EnvFrame;

  constructor(readonly spec: RunSpec) {
    this.world = runWorld(spec);
    this.stateBytes = this.world.layout.bytes;
    this.machines = spec.programs.map((prog) => prog.map((ep) => compile(spec.version.machines[ep])));
    this.scratch = new Uint8Array(this.stateBytes);
    this.pre = new WorldView(this.world.layout, this.scratch);
    this.next = new WorldView(this.world.layout, this.scratch);
    const p = spec.platform;
    this.baseInput = this.baseInputOf();
    this.inputByKind = Array.from({ length: 16 }, (_, kind) => packInput({
      ...this.baseInputOf(),
      cpuAddrIsVmalloc: kind === HandleKind.VMAP || (kind === HandleKind.POOL_VADDR && p.kconfig.DMA_DIRECT_REMAP),
      swiotlbBuffer: kind === HandleKind.BOUNCED,
    }));
    this.symBest = new Uint8Array(this.stateBytes);
    this.symCand = new Uint8Array(this.stateBytes);
    this.sym = this.symmetryOf();
    const self = this;
    this.frame = {
      platform: p, world: this.world, pre: this.pre, next: this.next,
      get t() { return self.frameT; },
      get locals() { return self.frameLocals; },
      get gfpBlocking() { return self.frameGfp; },
      obs: (kind, page, fn) => this.record(kind, page, fn),
    };
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
    let have = false;
    for (const perm of perms) {
      this.permute(state, perm, groups, ownPool, cand);
      if (!have || lessThan(cand, best)) {
        best.set(cand);
        have = true;
      }
    }
    state.set(best);
  }

  private permute(state: Uint8Array, perm: readonly number[], groups: readonly (readonly number[])[], ownPool: readonly number[], out: Uint8Array): void {
    const v = this.pre;
    v.buf = state;
    const T = perm.length;
    const inv = this.symInv;
    for (let k = 0; k < T; k++) inv[perm[k]!] = k;
    const pages = this.world.layout.pages;
    const newIndex = this.symNewIndex;
    // pages of a pool of one's own go where their thread goes
    for (let p = 0; p < pages.length; p++) if (ownPool[p]! >= 0) newIndex[p] = this.ownPoolPage[inv[ownPool[p]!]!]!;
    const keys = this.symKeys;
    for (const g of groups) {
      for (const p of g) {
        const held = v.loc(p) === Loc.USED;
        let refs = 0;
        for (let k = 0; k < T; k++) {
          if (v.cur(perm[k]!) === p) refs |= 1 << (2 * k);
          if (v.handlePage(perm[k]!) === p) refs |= 2 << (2 * k);
        }
        const b0 = v.buf[this.pageOffset(p)]!;
        const b0r = held ? (b0 & 0b1111) | (inv[(b0 >> 4) & 3]! << 4) : b0;
        keys[p] = (b0r << 16) | (v.buf[this.pageOffset(p) + 1]! << 8) | refs;
      }
      const sorted = this.symSort;
      sorted.length = 0;
      for (const p of g) sorted.push(p);
      sorted.sort((a, b) => keys[a]! - keys[b]! || a - b);
      for (let i = 0; i < g.length; i++) newIndex[sorted[i]!] = g[i]!;
    }
    const tb = 4;
    for (let k = 0; k < T; k++) {
      const o = perm[k]!;
      out[k * tb] = state[o * tb]!;
      out[k * tb + 1] = state[o * tb + 1]!;
      out[k * tb + 2] = state[o * tb + 2]!;
      const cur = v.cur(o);
      const hp = v.handlePage(o);
      out[k * tb + 3] = (cur < 0 ? 0 : newIndex[cur]! + 1) | ((hp < 0 ? 0 : newIndex[hp]! + 1) << 4);
    }
    for (let p = 0; p < pages.length; p++) {
      const from = this.pageOffset(p);
      const to = this.pageOffset(newIndex[p]!);
      const b0 = state[from]!;
      out[to] = v.loc(p) === Loc.USED ? (b0 & 0b1111) | (inv[(b0 >> 4) & 3]! << 4) : b0;
      out[to + 1] = state[from + 1]!;
    }
  }

  private pageOffset(p: number): number {
    return this.world.layout.threads * 4 + p * 2;
  }

  private readonly sym: { perms: number[][]; groups: number[][]; ownPool: number[] } | undefined;
  private readonly symBest: Uint8Array;
  private readonly symCand: Uint8Array;
  private readonly symInv: number[] = [];
  private readonly symNewIndex: number[] = [];
  private readonly symKeys: number[] = [];
  private readonly symSort: number[] = [];
  private readonly ownPoolPage: number[] = [];

  private symmetryOf(): { perms: number[][]; groups: number[][]; ownPool: number[] } | undefined {
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
      const k = `${pg.home}/${pg.pool}`;
      byGroup.set(k, [...(byGroup.get(k) ?? []), p]);
    });
    const groups = [...byGroup.values()];
    if (perms.length === 1 && groups.every((g) => g.length === 1)) return undefined;
    return { perms, groups, ownPool };
  }

  /** The initial state. */
  initial(out: Uint8Array): void {
    const v = new WorldView(this.world.layout, out);
    v.writeInitial();
    for (let t = 0; t < this.world.layout.threads; t++) this.skipUnusable(v, t);
  }

  /** Input bits of thread t's next or running call (they depend only on the handle kind). */
  inputBits(v: WorldView, t: number): number {
    return this.inputByKind[v.handleKind(t)]!;
  }

  private readonly inputByKind: readonly number[];

  private baseInputOf(): MachineInput {
    const p = this.spec.platform;
    const F = forceDmaUnencrypted(p, this.spec.device);
    const R = this.spec.device.pool !== 'none';
    return {
      F, R, C: this.spec.device.coherent, B: this.spec.device.gfp === 'blocking', NKM: this.spec.device.nkm,
      remapConfig: p.kconfig.DMA_DIRECT_REMAP, coherentPoolConfig: p.kconfig.DMA_COHERENT_POOL,
      setUncachedConfig: p.kconfig.ARCH_HAS_DMA_SET_UNCACHED, highmemCmaConfig: p.kconfig.HIGHMEM,
      cpuAddrIsVmalloc: false, forceBounce: R || (F && p.bounceWhenForced), swiotlbBuffer: false,
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
        if (v.pc(t) < this.spec.programs[t]!.length) return t;
        continue;
      }
      const m = this.machines[t]![v.pc(t)]!;
      if (!LOCAL_CALLS.has(m.metas[ms - 1]!.call!)) continue;
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
    for (let t = 0; t < T; t++) {
      if (only >= 0 && t !== only) continue;
      this.pre.buf = state;
      const ms = this.pre.mstate(t);
      if (ms === 0) {
        if (this.pre.pc(t) >= this.spec.programs[t]!.length) continue;
        this.stepStart(state, t, emit);
        continue;
      }
      const m = this.machines[t]![this.pre.pc(t)]!;
      const call = m.metas[ms - 1]!.call!;
      this.frameT = t;
      this.frameLocals = this.pre.locals(t);
      this.frameGfp = !ALLOCS.has(m.id as EntryPoint) || this.baseInput.B;
      this.outcomes.length = 0;
      listOutcomes(call, this.frame, this.outcomes);
      const ctx = this.inputBits(this.pre, t) | (this.frameLocals << INPUT_BITS);
      for (const o of this.outcomes) {
        this.pre.buf = state;
        this.scratch.set(state);
        this.next.buf = this.scratch;
        this.nObs = 0;
        applyOutcome(call, m.metas[ms - 1]!, this.frame, o);
        const packed = m.step(ms - 1, ctx, outcomeEvent(o));
        if (packed < 0)
          throw new Error(`model error: ${m.id}.${m.stateNames[ms - 1]} has no transition for ${OUTCOME_EVENTS[outcomeEvent(o)]}`);
        this.enter(t, m, packed);
        this.finishObservations();
        emit(this.scratch, actionOf(t, o), this.obsPool, this.nObs);
      }
    }
  }

  /** Start thread t's next entry point. */
  private stepStart(state: Uint8Array, t: number, emit: StepEmit): void {
    this.scratch.set(state);
    this.next.buf = this.scratch;
    this.nObs = 0;
    this.frameT = t;
    const ep = this.entryPoint(this.pre, t)!;
    const m = this.machines[t]![this.pre.pc(t)]!;
    const kind = this.pre.handleKind(t);
    const hp = this.pre.handlePage(t);
    this.next.setCur(t, kind === HandleKind.BOGUS_PAGE ? -1 : hp);
    if (FREES.has(ep) && hp >= 0 && (this.pre.user(hp) !== Attr.NONE || this.pre.dma(hp) !== Attr.NONE)) {
      // The driver unmaps the user mapping and stops the device before freeing.
      this.record(ObsKind.QUIESCE, hp, ep);
      this.next.setUser(hp, Attr.NONE);
      this.next.setDma(hp, Attr.NONE);
    }
    this.enter(t, m, m.start(this.inputBits(this.pre, t)));
    this.finishObservations();
    emit(this.scratch, actionOf(t, outcome(EVENT_ID.CALL)), this.obsPool, this.nObs);
  }

  /** Put thread t in machine state `packed`; if it is final, return to the caller. */
  private enter(t: number, m: CompiledMachine, packed: number): void {
    const s = packed & 255;
    const locals = packed >> 8;
    if (!m.finals[s]) {
      this.next.setMachine(t, s + 1, locals);
      return;
    }
    this.returnToCaller(t, m, s, locals);
  }

  private returnToCaller(t: number, m: CompiledMachine, s: number, locals: number): void {
    const n = this.next;
    const meta = m.metas[s]!;
    const cur = n.cur(t);
    const ep = m.id;
    if (meta.leak && cur >= 0) {
      this.record(ObsKind.LEAK, cur, ep).reason = `${m.stateNames[s]}: not freed`;
      n.setLoc(cur, Loc.LEAKED);
    }
    let kind: number = n.handleKind(t);
    let page = n.handlePage(t);
    const dmaAttr = attrFor(this.spec.platform, (locals & LOCAL_BIT.dmaUnencrypted) !== 0);
    const handOut = () => {
      this.record(ObsKind.DMA_ADDR, cur, ep).attr = dmaAttr;
      n.setDma(cur, dmaAttr);
    };
    switch (meta.returns) {
      case 'null': case 'mapping_error': case 'void': kind = HandleKind.NONE; page = -1; break;
      case 'cpu_addr':
        kind = locals & LOCAL_BIT.remap ? HandleKind.VMAP : locals & LOCAL_BIT.setUncached ? HandleKind.UNCACHED : HandleKind.LINEAR;
        page = cur; handOut(); break;
      case 'pool_vaddr': kind = HandleKind.POOL_VADDR; page = cur; handOut(); break;
      case 'page_cookie': kind = HandleKind.PAGE_COOKIE; page = cur; handOut(); break;
      case 'page': kind = HandleKind.PAGE; page = cur; handOut(); break;
      case 'vaddr_as_page':
        handOut();
        this.record(ObsKind.BOGUS_POINTER, cur, ep).reason = 'the CPU address of the pool chunk is returned as its struct page *';
        kind = HandleKind.BOGUS_PAGE; page = -1; break;
      case 'bounced_dma_addr': kind = HandleKind.BOUNCED; page = cur; break;
      case 'direct_dma_addr': kind = HandleKind.DIRECT_MAPPED; page = -1; break;
      case 'mmap_result': break;
      default: throw new Error(`model error: ${ep}.${m.stateNames[s]} is final without meta.returns`);
    }
    n.setHandle(t, kind, page);
    this.record(ObsKind.RETURN, page, ep).result =
      meta.returns === 'void' ? 'void' : meta.returns === 'mmap_result' ? '0' : kind === HandleKind.NONE ? 'NULL' : HANDLE_KIND_NAMES[kind]!;
    // A page still held by this thread but not reachable from its handle is lost.
    const pages = this.world.layout.pages;
    for (let p = 0; p < pages.length; p++) {
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

  /** A driver skips the rest of a session whose buffer it did not get. */
  private skipUnusable(v: WorldView, t: number): void {
    const prog = this.spec.programs[t]!;
    while (v.pc(t) < prog.length && !SESSION_STARTS.has(prog[v.pc(t)]!) && v.handleKind(t) === HandleKind.NONE) v.setPc(t, v.pc(t) + 1);
  }

  private record(kind: number, page: number, fn: string): Observation {
    if (this.nObs === this.obsPool.length) this.obsPool.push(blankObservation());
    const o = this.obsPool[this.nObs++]!;
    const pre = this.pre;
    o.kind = kind as Observation['kind'];
    o.thread = this.frameT;
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
      o.home = this.world.layout.pages[page]!.home;
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
