/**
 * Reuse of thread steps across states: the checker's inner loop.
 *
 * A step of thread t reads and writes only t's record and the pages
 * (`RunModel.threadSuccessors`), so its successors, actions and goal bits
 * are a function of (t, t's record, the pages). The memo computes them once
 * with the model and replays them in every state that agrees on those
 * bytes, whatever the other threads are doing: a run of three threads has
 * a few percent as many distinct (thread, record, pages) keys as
 * (state, thread) pairs.
 *
 * Exact: keys are compared in full, and a replayed step writes exactly the
 * bytes the model wrote. Bounded: at `maxBytes` the memo stops growing;
 * a key it does not hold is computed by the model each time.
 *
 * Layout assumed (models/world.ts): thread t's record is the 32-bit word t,
 * the pages follow from word `threads`. States are handled as words
 * (zero-padded), like the explorer does.
 */
import type { Observation } from '../../models/observation.ts';
import type { RunModel } from '../../models/run-model.ts';
import { THREAD_BYTES } from '../../models/world.ts';

export type GoalsOf = (obs: readonly Observation[], n: number) => number;
export type GoalEmit = (next: Uint8Array, action: number, goals: number) => void;

/** Default bound on the memo's memory. */
export const STEP_MEMO_MAX_BYTES = 64 << 20;

/** Little-endian 32-bit word `w` of `bytes` (zero past the end). */
function wordOf(bytes: Uint8Array, w: number): number {
  const i = 4 * w;
  const n = bytes.length;
  return (i < n ? bytes[i]! : 0) | (i + 1 < n ? bytes[i + 1]! << 8 : 0) | (i + 2 < n ? bytes[i + 2]! << 16 : 0) | (i + 3 < n ? bytes[i + 3]! << 24 : 0);
}

function mix(h: number, k: number): number {
  h = Math.imul(h ^ k, 0x5bd1e995);
  return h ^ (h >>> 15);
}

function grow(a: Int32Array, need: number): Int32Array {
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export class StepMemo {
  /** (state, thread) lookups answered from the memo, and computed by the model */
  hits = 0;
  misses = 0;

  private readonly threads: number;
  private readonly stateBytes: number;
  private readonly stateWords: number;
  private readonly pageWords: number;
  /** words of one stored step: action, goals, thread record, pages */
  private readonly stepWords: number;
  /** the current state as words, and a word view of the caller's buffer when it is aligned */
  private readonly inWords: Int32Array;
  private readonly inBytes: Uint8Array;
  private lastState: Uint8Array | undefined;
  private lastWords: Int32Array | undefined;
  private readonly tailMask: number;
  private readonly outWords: Int32Array;
  private readonly outBytes: Uint8Array;
  /** open addressing, two words a slot: hash, entry offset + 1 (0 = empty) */
  private table: Int32Array;
  private mask: number;
  private used = 0;
  /** entries, one after another: t, record, page words, step count, steps */
  private arena: Int32Array;
  private arenaTop = 0;
  /** steps of the entry being computed */
  private fresh: Int32Array;
  private freshTop = 0;
  private full = false;
  private readonly maxBytes: number;
  /** the caller's emit during `successors` */
  private emit: GoalEmit = () => {};
  private readonly capture: (next: Uint8Array, action: number, obs: readonly Observation[], n: number) => void;
  private readonly direct: (next: Uint8Array, action: number, obs: readonly Observation[], n: number) => void;
  private captureThread = 0;

  constructor(private readonly model: RunModel, goalsOf: GoalsOf, maxBytes = STEP_MEMO_MAX_BYTES) {
    if (THREAD_BYTES !== 4) throw new Error('StepMemo: a thread record must be one 32-bit word');
    this.threads = model.world.layout.threads;
    this.stateBytes = model.stateBytes;
    this.stateWords = (model.stateBytes + 3) >>> 2;
    this.pageWords = this.stateWords - this.threads;
    this.stepWords = 3 + this.pageWords;
    this.inWords = new Int32Array(this.stateWords);
    this.inBytes = new Uint8Array(this.inWords.buffer, 0, model.stateBytes);
    const tail = model.stateBytes & 3;
    this.tailMask = tail === 0 ? -1 : (1 << (8 * tail)) - 1;
    this.outWords = new Int32Array(this.stateWords);
    this.outBytes = new Uint8Array(this.outWords.buffer, 0, model.stateBytes);
    this.table = new Int32Array(2 * 256);
    this.mask = 255;
    this.arena = new Int32Array(4096);
    this.fresh = new Int32Array(16 * this.stepWords);
    this.maxBytes = maxBytes;
    this.capture = (next, action, obs, n) => {
      if (this.freshTop + this.stepWords > this.fresh.length) this.fresh = grow(this.fresh, this.freshTop + this.stepWords);
      const s = this.fresh;
      let p = this.freshTop;
      s[p++] = action;
      s[p++] = goalsOf(obs, n);
      s[p++] = wordOf(next, this.captureThread);
      for (let j = 0; j < this.pageWords; j++) s[p++] = wordOf(next, this.threads + j);
      this.freshTop = p;
    };
    this.direct = (next, action, obs, n) => this.emit(next, action, goalsOf(obs, n));
  }

  /** Bytes held by the memo. */
  bytesUsed(): number {
    return this.table.byteLength + this.arena.byteLength + this.fresh.byteLength;
  }

  /** Distinct (thread, record, pages) keys stored. */
  get entries(): number {
    return this.used;
  }

  /** Every step from `state` with its goal bits, in the model's order; with `por`, as `RunModel.successors` reduces. */
  successors(state: Uint8Array, emit: GoalEmit, por: boolean): void {
    this.load(state);
    const w = this.inWords;
    const T = this.threads;
    // the pages are part of every thread's key: hash them once
    let pagesHash = 0x9747b28c;
    for (let j = T; j < this.stateWords; j++) pagesHash = mix(pagesHash, w[j]!);
    const only = por ? this.model.localThread(state) : -1;
    for (let t = 0; t < T; t++) {
      if (only >= 0 && t !== only) continue;
      let h = mix(mix(pagesHash, t), w[t]!);
      h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
      h ^= h >>> 16;
      const base = this.lookup(t, h);
      if (base >= 0) {
        this.hits++;
        this.replay(this.arena, base + 3 + this.pageWords, this.arena[base + 2 + this.pageWords]!, t, emit);
        continue;
      }
      this.misses++;
      this.emit = emit;
      if (this.full) {
        this.model.threadSuccessors(state, t, this.direct);
        continue;
      }
      this.freshTop = 0;
      this.captureThread = t;
      this.model.threadSuccessors(state, t, this.capture);
      const count = this.freshTop / this.stepWords;
      if (this.roomFor(count)) {
        const base = this.insert(t, h, count);
        this.replay(this.arena, base + 3 + this.pageWords, count, t, emit);
      } else {
        this.full = true;
        this.replay(this.fresh, 0, count, t, emit);
      }
    }
  }

  /** Copy `state` into `inWords`, a word at a time when it is the aligned buffer seen last time. */
  private load(state: Uint8Array): void {
    if (state !== this.lastState) {
      this.lastState = state;
      const aligned = (state.byteOffset & 3) === 0 && state.byteOffset + 4 * this.stateWords <= state.buffer.byteLength && state.length === this.stateBytes;
      this.lastWords = aligned ? new Int32Array(state.buffer, state.byteOffset, this.stateWords) : undefined;
    }
    const src = this.lastWords;
    if (src !== undefined) {
      const w = this.inWords;
      const last = this.stateWords - 1;
      for (let j = 0; j < last; j++) w[j] = src[j]!;
      w[last] = src[last]! & this.tailMask;
      return;
    }
    for (let i = 0; i < this.stateBytes; i++) this.inBytes[i] = state[i]!;
  }

  /** The arena offset of the entry for (t, the current state), or -1. */
  private lookup(t: number, h: number): number {
    const table = this.table;
    const arena = this.arena;
    const w = this.inWords;
    const T = this.threads;
    const PW = this.pageWords;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = table[2 * slot + 1]!;
      if (e === 0) return -1;
      if (table[2 * slot] === h) {
        const base = e - 1;
        if (arena[base] === t && arena[base + 1] === w[t]) {
          let j = 0;
          while (j < PW && arena[base + 2 + j] === w[T + j]) j++;
          if (j === PW) return base;
        }
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Whether an entry of `count` steps fits in `maxBytes`, the arrays' growth included. */
  private roomFor(count: number): boolean {
    const need = this.arenaTop + 3 + this.pageWords + count * this.stepWords;
    let arenaWords = this.arena.length;
    while (arenaWords < need) arenaWords *= 2;
    const tableWords = 2 * (this.used + 1) > this.mask + 1 ? 2 * this.table.length : this.table.length;
    return 4 * (arenaWords + tableWords) + this.fresh.byteLength <= this.maxBytes;
  }

  /** Store the key (t, current state) with the `count` steps in `fresh`; returns its arena offset. */
  private insert(t: number, h: number, count: number): number {
    const PW = this.pageWords;
    const need = this.arenaTop + 3 + PW + this.freshTop;
    if (need > this.arena.length) this.arena = grow(this.arena, need);
    if (2 * (this.used + 1) > this.mask + 1) this.growTable();
    const a = this.arena;
    const base = this.arenaTop;
    a[base] = t;
    a[base + 1] = this.inWords[t]!;
    for (let j = 0; j < PW; j++) a[base + 2 + j] = this.inWords[this.threads + j]!;
    a[base + 2 + PW] = count;
    for (let j = 0; j < this.freshTop; j++) a[base + 3 + PW + j] = this.fresh[j]!;
    this.arenaTop = need;
    let slot = h & this.mask;
    while (this.table[2 * slot + 1] !== 0) slot = (slot + 1) & this.mask;
    this.table[2 * slot] = h;
    this.table[2 * slot + 1] = base + 1;
    this.used++;
    return base;
  }

  private growTable(): void {
    const slots = 2 * (this.mask + 1);
    const table = new Int32Array(2 * slots);
    const mask = slots - 1;
    const old = this.table;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === 0) continue;
      let slot = old[i]! & mask;
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[i]!;
      table[2 * slot + 1] = old[i + 1]!;
    }
    this.table = table;
    this.mask = mask;
  }

  /** Emit `count` steps stored in `steps` from offset `p`, applied to the current state. */
  private replay(steps: Int32Array, p: number, count: number, t: number, emit: GoalEmit): void {
    const PW = this.pageWords;
    const T = this.threads;
    const inWords = this.inWords;
    const out = this.outWords;
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < T; j++) out[j] = inWords[j]!;
      out[t] = steps[p + 2]!;
      for (let j = 0; j < PW; j++) out[T + j] = steps[p + 3 + j]!;
      emit(this.outBytes, steps[p]!, steps[p + 1]!);
      p += this.stepWords;
    }
  }
}
