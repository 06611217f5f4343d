/**
 * The DMA system as the explorer sees it by default: collapse compression
 * with reused thread steps (the checker's inner loop).
 *
 * Collapse: a model state is a thread record (one 32-bit word) per thread
 * and the pages (a few words). A run has few distinct records (tens per
 * thread) and few distinct page vectors (thousands) but their combinations
 * number millions, so each component is numbered once, in the order it is
 * first seen (`Tuples`), and the explorer stores and compares only the
 * tuple of numbers: 16 bits each, 8 bytes for three threads instead of 18
 * or more (`WIDE` ids of 32 bits when a run sees more than 65,536 page
 * vectors). The encoding is a bijection between the states reached and
 * their codes, so the explored graph, its BFS order, counts, goals and
 * paths are exactly those of the model's own states.
 *
 * Reused steps: a step of thread t reads and writes only t's record and
 * the pages (`RunModel.threadSuccessors`), so its successors, actions and
 * goal bits are a function of (t, record number, pages number): computed
 * once by the model, kept as (action, goals, new record number, new pages
 * number), and replayed in every state with the same key, whatever the
 * other threads hold. Keys are small integers compared in full: exact.
 * Bounded: at `maxBytes` the memo stops growing and a key it does not hold
 * is computed by the model each time.
 *
 * Layout assumed (models/world.ts): thread t's record is the 32-bit word t,
 * the pages follow from word `threads`, zero-padded to whole words.
 */
import { giveBack, grownInt32, takeInt32, takeUint16 } from '../core/buffer-pool.ts';
import type { CheckableSystem, WordSink } from '../core/checkable-system.ts';
import type { Observation } from '../../models/observation.ts';
import type { RunModel } from '../../models/run-model.ts';
import { MAX_THREADS, THREAD_BYTES } from '../../models/world.ts';

export type GoalsOf = (obs: readonly Observation[], n: number) => number;

/** Default bound on the memory of the reused steps. */
export const STEP_MEMO_MAX_BYTES = 64 << 20;

/** Component numbers of 16 bits (default) or 32 bits (after a `CollapseOverflow`). */
export type IdWidth = 16 | 32;

/** A run saw more distinct components than 16-bit numbers can name: explore it again with 32-bit ones. */
export class CollapseOverflow extends Error {
  constructor(what: string) {
    super(`collapse: more than 65536 distinct ${what} in one run`);
    this.name = 'CollapseOverflow';
  }
}

function mix(h: number, k: number): number {
  h = Math.imul(h ^ k, 0x5bd1e995);
  return h ^ (h >>> 15);
}

function finish(h: number): number {
  h = Math.imul(h ^ (h >>> 13), 0x85ebca6b);
  return h ^ (h >>> 16);
}

/** The memo's hash of key (record number << 2 | thread, pages number). */
function memoHash(a: number, b: number): number {
  return finish(mix(mix(0x2545f491, a), b));
}

/** Bytes `at..at+3` of `b` that exist, as a little-endian word (0 past the end). */
function wordAt(b: Uint8Array, at: number): number {
  let w = 0;
  for (let i = at; i < b.length && i < at + 4; i++) w |= b[i]! << (8 * (i - at));
  return w;
}

/** Write `w` into the bytes `at..at+3` of `b` that exist. */
function putWordAt(b: Uint8Array, at: number, w: number): void {
  for (let i = at; i < b.length && i < at + 4; i++) b[i] = w >>> (8 * (i - at));
}

function grown(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let n = Math.max(16, a.length * 2);
  while (n < need) n *= 2;
  return grownInt32(a, n);
}

/** Numbers tuples of `width` 32-bit words 0, 1, 2, ... in the order they are first interned. */
export class Tuples {
  /** tuple i is words [i * width, (i + 1) * width) */
  values: Int32Array;
  count = 0;
  /** open addressing: number + 1, 0 = empty */
  private table = takeInt32(64);
  private mask = 63;

  constructor(readonly width: number, private readonly limit: number, private readonly what: string) {
    this.values = takeInt32(16 * width);
  }

  private hash(src: Int32Array, off: number): number {
    let h = 0x9747b28c;
    for (let j = 0; j < this.width; j++) h = mix(h, src[off + j]!);
    return finish(h);
  }

  /** The number of the tuple at `src[off..]`, numbering it if new. */
  intern(src: Int32Array, off: number): number {
    const w = this.width;
    const values = this.values;
    let slot = this.hash(src, off) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) break;
      const p = (e - 1) * w;
      let j = 0;
      while (j < w && values[p + j] === src[off + j]) j++;
      if (j === w) return e - 1;
      slot = (slot + 1) & this.mask;
    }
    const id = this.count;
    if (id >= this.limit) throw new CollapseOverflow(this.what);
    if ((id + 1) * w > this.values.length) this.values = grown(this.values, (id + 1) * w);
    for (let j = 0; j < w; j++) this.values[id * w + j] = src[off + j]!;
    this.count = id + 1;
    if (2 * this.count > this.mask + 1) this.rehash();
    else this.table[slot] = id + 1;
    return id;
  }

  private rehash(): void {
    const slots = 2 * (this.mask + 1);
    giveBack(this.table);
    this.table = takeInt32(slots);
    this.mask = slots - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.hash(this.values, id * this.width) & this.mask;
      while (this.table[slot] !== 0) slot = (slot + 1) & this.mask;
      this.table[slot] = id + 1;
    }
  }

  bytesUsed(): number {
    return this.values.byteLength + this.table.byteLength;
  }

  /** Hand the arrays back for reuse (src/core/buffer-pool.ts); no use afterwards. */
  release(): void {
    giveBack(this.values);
    giveBack(this.table);
    this.values = new Int32Array(0);
    this.table = new Int32Array(1);
    this.mask = 0;
    this.count = 0;
  }
}

/** Words of one stored step: action, goals, new record number, new pages number. */
const STEP = 4;

/** Words of one memo slot (see `CollapsedSystem.table`). */
const SLOT = 4;
/** Entries of the cache of canonical codes (`CollapsedSystem.canonicalizeCached`). */
const CANON_CACHE = 1 << 12;

/** Marks a memo slot that holds its one step itself. */
const INLINE = 1 << 31;

type Emit = (next: Uint8Array, action: number, goals: number, which: number) => void;

export class CollapsedSystem implements CheckableSystem {
  readonly stateBytes: number;
  readonly goalCount: number;
  readonly canonicalize?: (state: Uint8Array) => void;
  /** (state, thread) lookups answered from the memo, and computed by the model */
  hits = 0;
  misses = 0;

  private readonly threads: number;
  private readonly pageWords: number;
  private readonly records: Tuples;
  private readonly pages: Tuples;
  /** the expanded state's component numbers (threads, then pages) */
  private readonly cur: Int32Array;
  /** the expanded state as the model sees it */
  private readonly full: Int32Array;
  private readonly fullBytes: Uint8Array;
  /** the emitted successor: a word buffer with a typed view of the numbers */
  private readonly outBytes: Uint8Array;
  private readonly outIds: Uint16Array | Uint32Array;
  /** scratch of `canonicalize` */
  private readonly canon: Int32Array;
  private readonly canonBytes: Uint8Array;
  private readonly canonBefore: Int32Array;
  private readonly idScratch: Uint16Array | Uint32Array;
  private readonly idScratchBytes: Uint8Array;
  /**
   * The memo: open addressing, SLOT words a slot: (record number << 2 | t),
   * pages number, then the entry: a single step without goals is kept in
   * the slot itself (`INLINE`: action | new record number << 16, new pages
   * number | 1 << 31), which saves most lookups a second cache miss; other
   * entries are (step count, arena offset of their first step + 1). A
   * slot's last word is 0 only when it is empty.
   */
  private table = takeInt32(SLOT * 64);
  private mask = 63;
  private used = 0;
  /** the steps of the entries not kept in their slot, one entry after another */
  private arena: Int32Array<ArrayBuffer> = takeInt32(512);
  private arenaTop = 0;
  /** steps being computed by the model */
  private fresh: Int32Array<ArrayBuffer> = takeInt32(16 * STEP);
  private freshTop = 0;
  private full_ = false;
  private captureThread = 0;
  private readonly capture: (next: Uint8Array, action: number, obs: readonly Observation[], n: number) => void;

  constructor(
    readonly model: RunModel,
    goalCount: number,
    private readonly goalsOf: GoalsOf,
    private readonly por: boolean,
    symmetry: boolean,
    private readonly width: IdWidth = 16,
    private readonly maxBytes = STEP_MEMO_MAX_BYTES,
    idLimit = 0x10000,
  ) {
    if (THREAD_BYTES !== 4) throw new Error('CollapsedSystem: a thread record must be one 32-bit word');
    const T = model.world.layout.threads;
    if (T > MAX_THREADS) throw new Error(`CollapsedSystem: at most ${MAX_THREADS} threads`);
    this.threads = T;
    const fullWords = (model.stateBytes + 3) >>> 2;
    this.pageWords = fullWords - T;
    const limit = width === 16 ? Math.min(idLimit, 0x10000) : 0x7fffffff;
    this.records = new Tuples(1, limit, 'thread records');
    this.pages = new Tuples(this.pageWords, limit, 'page vectors');
    this.goalCount = goalCount;
    this.stateBytes = (T + 1) * (width / 8);
    this.cur = new Int32Array(T + 1);
    this.full = new Int32Array(fullWords);
    this.fullBytes = new Uint8Array(this.full.buffer, 0, model.stateBytes);
    this.canon = new Int32Array(fullWords);
    this.canonBytes = new Uint8Array(this.canon.buffer, 0, model.stateBytes);
    this.canonBefore = new Int32Array(fullWords);
    const outBuf = new ArrayBuffer(4 * Math.ceil(this.stateBytes / 4));
    this.outBytes = new Uint8Array(outBuf, 0, this.stateBytes);
    this.outIds = width === 16 ? new Uint16Array(outBuf, 0, T + 1) : new Uint32Array(outBuf, 0, T + 1);
    this.idScratch = width === 16 ? new Uint16Array(T + 1) : new Uint32Array(T + 1);
    this.idScratchBytes = new Uint8Array(this.idScratch.buffer, 0, this.stateBytes);
    this.oneState = new Int32Array(Math.ceil(this.stateBytes / 4));
    this.oneStateBytes = new Uint8Array(this.oneState.buffer, 0, this.stateBytes);
    this.capture = (next, action, obs, n) => {
      if (this.freshTop + STEP > this.fresh.length) this.fresh = grown(this.fresh, this.freshTop + STEP);
      const s = this.fresh;
      const p = this.freshTop;
      s[p] = action;
      s[p + 1] = this.goalsOf(obs, n);
      const words = this.wordsOf(next);
      s[p + 2] = this.records.intern(words, this.captureThread);
      s[p + 3] = this.pages.intern(words, this.threads);
      this.freshTop = p + STEP;
    };
    if (symmetry && this.stateBytes <= 8) {
      this.canonCache = takeInt32(4 * CANON_CACHE);
      this.canonValid = takeUint16(CANON_CACHE);
      this.canonicalize = (state) => this.canonicalizeCached(state);
    } else if (symmetry) {
      this.canonicalize = (state) => this.canonicalizeCode(state);
    }
    // where component k (threads, then pages) sits in a code read as two little-endian words
    this.posWord = new Int32Array(T + 1);
    this.posShift = new Int32Array(T + 1);
    this.posKeep = new Int32Array(T + 1);
    for (let k = 0; k <= T; k++) {
      const bit = k * width;
      this.posWord[k] = bit >>> 5;
      this.posShift[k] = bit & 31;
      this.posKeep[k] = width === 32 ? 0 : ~(0xffff << (bit & 31));
    }
    if (this.stateBytes <= 8) this.successorsToSink = (words, count, sink) => {
      this.checkLive();
      this.expandCodes(words, count, null, sink);
    };
  }

  private readonly posWord: Int32Array;
  private readonly posShift: Int32Array;
  private readonly posKeep: Int32Array;

  /** Bytes held by the memo, the component numbering and the cache of canonical codes. */
  bytesUsed(): number {
    return this.table.byteLength + this.arena.byteLength + this.fresh.byteLength + this.records.bytesUsed() + this.pages.bytesUsed() +
      this.canonCache.byteLength + this.canonValid.byteLength;
  }

  /**
   * Hand the memo's and the numbering's arrays back for reuse by the next
   * run of this thread (src/core/buffer-pool.ts). The system must not be
   * used afterwards: read `bytesUsed()`, `hits` and the rest first.
   */
  release(): void {
    giveBack(this.table);
    giveBack(this.arena);
    giveBack(this.fresh);
    giveBack(this.canonCache);
    giveBack(this.canonValid);
    this.records.release();
    this.pages.release();
    this.table = this.arena = this.fresh = this.canonCache = new Int32Array(0);
    this.canonValid = new Uint16Array(0);
    this.released = true;
  }

  private released = false;

  private checkLive(): void {
    if (this.released) throw new Error('CollapsedSystem: used after release()');
  }

  /** Distinct (thread, record, pages) keys stored. */
  get entries(): number {
    return this.used;
  }

  initialStates(emit: (state: Uint8Array) => void): void {
    this.checkLive();
    this.model.initial(this.fullBytes);
    const code = new Uint8Array(this.stateBytes);
    this.encode(this.full, code);
    emit(code);
  }

  /** The model state of `code`. */
  decode(code: Uint8Array): Uint8Array {
    this.decodeInto(code, this.canon);
    return this.canonBytes.slice();
  }

  /**
   * The model state of `code` into `out` (never `full` or `cur`: it is
   * called while a state is expanded, from `canonicalize`).
   */
  private decodeInto(code: Uint8Array, out: Int32Array): void {
    const bytes = this.idScratchBytes;
    for (let i = 0; i < bytes.length; i++) bytes[i] = code[i]!;
    this.expand(this.idScratch, out);
  }

  /** The model state whose component numbers are `ids` (threads, then pages), into `out`. */
  private expand(ids: Uint16Array | Uint32Array | Int32Array, out: Int32Array): void {
    const T = this.threads;
    const recs = this.records.values;
    for (let t = 0; t < T; t++) out[t] = recs[ids[t]!]!;
    const PW = this.pageWords;
    const pv = this.pages.values;
    const p = ids[T]! * PW;
    for (let j = 0; j < PW; j++) out[T + j] = pv[p + j]!;
  }

  /** Number the components of the model state `words` and write the code into `out`. */
  private encode(words: Int32Array, out: Uint8Array): void {
    const T = this.threads;
    const ids = this.idScratch;
    for (let t = 0; t < T; t++) ids[t] = this.records.intern(words, t);
    ids[T] = this.pages.intern(words, T);
    const bytes = this.idScratchBytes;
    for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
  }

  /** A word view of the model's successor buffer: RunModel emits from a scratch buffer with whole, zero-padded words underneath. */
  private wordsOf(next: Uint8Array): Int32Array {
    if (next === this.lastNext) return this.lastNextWords;
    const words = this.full.length;
    if ((next.byteOffset & 3) !== 0 || next.buffer.byteLength - next.byteOffset < 4 * words) {
      throw new Error('CollapsedSystem: a successor buffer without whole words underneath (RunModel pads its scratch buffer)');
    }
    this.lastNext = next;
    this.lastNextWords = new Int32Array(next.buffer, next.byteOffset, words);
    return this.lastNextWords;
  }

  private lastNext: Uint8Array | null = null;
  private lastNextWords: Int32Array = new Int32Array(0);

  /**
   * `canonicalizeCode` through a direct-mapped cache of recent codes (codes
   * of at most 8 bytes): most successors are emitted more than once, and a
   * code's canonical form never changes within a run (component numbers are
   * only ever added). A hit skips the decode, the model's canonicalization
   * and the renumbering. On the bench's speedup workload a scratch count
   * found 37% of the calls answerable by such a cache (baseline only), and
   * two of its versions in this thread took 1.03-1.1x less time with it
   * (three in-process A/Bs of 6-8 rounds, results identical).
   */
  private canonicalizeCached(code: Uint8Array): void {
    const w0 = wordAt(code, 0);
    const w1 = wordAt(code, 4);
    const slot = memoHash(w0, w1) & (CANON_CACHE - 1);
    const c = this.canonCache;
    const q = 4 * slot;
    if (this.canonValid[slot] === 1 && c[q] === w0 && c[q + 1] === w1) {
      const v0 = c[q + 2]!;
      const v1 = c[q + 3]!;
      if (v0 !== w0 || v1 !== w1) {
        putWordAt(code, 0, v0);
        putWordAt(code, 4, v1);
      }
      return;
    }
    this.canonicalizeCode(code);
    c[q] = w0;
    c[q + 1] = w1;
    c[q + 2] = wordAt(code, 0);
    c[q + 3] = wordAt(code, 4);
    this.canonValid[slot] = 1;
  }

  /** `canonicalizeCached`'s entries: (code, canonical code) as two word pairs, and whether a slot is filled */
  private canonCache: Int32Array = new Int32Array(0);
  private canonValid: Uint16Array = new Uint16Array(0);

  private canonicalizeCode(code: Uint8Array): void {
    const canon = this.canon;
    const before = this.canonBefore;
    this.decodeInto(code, canon); // leaves the code's numbers in idScratch
    before.set(canon);
    this.model.canonicalize(this.canonBytes);
    // Number again only the components the canonical form changed (usually none or few).
    const T = this.threads;
    const ids = this.idScratch;
    let changed = false;
    for (let t = 0; t < T; t++) {
      if (canon[t] !== before[t]) {
        ids[t] = this.records.intern(canon, t);
        changed = true;
      }
    }
    for (let j = T; j < canon.length; j++) {
      if (canon[j] !== before[j]) {
        ids[T] = this.pages.intern(canon, T);
        changed = true;
        break;
      }
    }
    if (!changed) return;
    const bytes = this.idScratchBytes;
    for (let i = 0; i < bytes.length; i++) code[i] = bytes[i]!;
  }

  successors(code: Uint8Array, emit: (next: Uint8Array, action: number, goals: number) => void): void {
    this.checkLive();
    const bytes = this.oneStateBytes;
    for (let i = 0; i < bytes.length; i++) bytes[i] = code[i]!;
    this.successorsOfMany(this.oneState, 1, emit);
  }

  private readonly oneState: Int32Array;
  private readonly oneStateBytes: Uint8Array;
  private idsView: Uint16Array | Uint32Array = new Uint16Array(0);
  private idsOf: Int32Array | undefined;

  /** The successors of `count` codes, in order (see `expandCodes`). */
  successorsOfMany(words: Int32Array, count: number, emit: Emit): void {
    this.checkLive();
    this.expandCodes(words, count, emit, null);
  }

  /** `successorsOfMany` handing the codes over as words: present only for codes of at most 8 bytes. */
  readonly successorsToSink?: (words: Int32Array, count: number, sink: WordSink) => void;

  /**
   * The successors of `count` codes, state by state and thread by thread:
   * one memo probe per (state, thread), a miss computed by the model and
   * stored. They go to `sink` as words, or else to `emit` as bytes.
   * Without partial-order reduction every thread is probed, and the memo
   * slots of all `count` codes are touched first (`touchMemo`).
   */
  private expandCodes(words: Int32Array, count: number, emit: Emit | null, sink: WordSink | null): void {
    const T = this.threads;
    const codeWords = Math.ceil(this.stateBytes / 4);
    const stride = (this.width === 16 ? 2 : 1) * codeWords;
    if (this.idsOf !== words) {
      this.idsOf = words;
      this.idsView = this.width === 16 ? new Uint16Array(words.buffer, words.byteOffset, 2 * words.length) : new Uint32Array(words.buffer, words.byteOffset, words.length);
    }
    const ids = this.idsView;
    const cur = this.cur;
    if (!this.por) this.touchMemo(ids, count, stride);
    for (let i = 0; i < count; i++) {
      const o = i * stride;
      for (let k = 0; k <= T; k++) cur[k] = ids[o + k]!;
      const b = cur[T]!;
      let decoded = false;
      let only = -1;
      if (this.por) {
        this.decodeCur();
        decoded = true;
        only = this.model.localThread(this.fullBytes);
      }
      for (let t = 0; t < T; t++) {
        if (only >= 0 && t !== only) continue;
        const a = (cur[t]! << 2) | t;
        const h = this.por ? memoHash(a, b) : this.memoHashes[i * T + t]!;
        const slot = this.probe(a, b, h);
        if (slot >= 0) {
          this.hits++;
          const table = this.table;
          this.entry(table[SLOT * slot + 2]!, table[SLOT * slot + 3]!);
        } else {
          if (!decoded) {
            this.decodeCur();
            decoded = true;
          }
          this.computeSteps(t, a, b, h);
        }
        if (sink !== null) this.pushSteps(words, i * codeWords, t, i, sink);
        else this.replay(t, i, emit!);
      }
    }
  }

  /**
   * Hash the memo keys of `count` codes (into `memoHashes`) and read their
   * home slots, before any of them is probed: the reads are independent,
   * so their cache misses overlap, where the probes' data-dependent
   * branches would take them one by one. The heavy bench run, in-process
   * A/B (18 rounds): 1.025x on top of the explorer's batched lookups.
   */
  private touchMemo(ids: Uint16Array | Uint32Array, count: number, stride: number): void {
    const T = this.threads;
    if (this.memoHashes.length < count * T) this.memoHashes = new Int32Array(Math.max(count * T, 2 * this.memoHashes.length));
    const hs = this.memoHashes;
    const table = this.table;
    const mask = this.mask;
    let x = 0;
    for (let i = 0; i < count; i++) {
      const o = i * stride;
      const b = ids[o + T]!;
      for (let t = 0; t < T; t++) {
        const h = memoHash((ids[o + t]! << 2) | t, b);
        hs[i * T + t] = h;
        x ^= table[SLOT * (h & mask) + 3]!;
      }
    }
    this.touched ^= x; // keeps the loads alive
  }

  /** `touchMemo`'s hashes, code by code and thread by thread */
  private memoHashes = new Int32Array(0);
  private touched = 0;

  /**
   * A memo miss: thread t's steps from the decoded current state (`full`),
   * computed by the model and stored under key (a, b) with hash h (unless
   * the memo is full). Leaves them in `eSteps` / `eAt` / `eCount`.
   */
  private computeSteps(t: number, a: number, b: number, h: number): void {
    this.misses++;
    this.freshTop = 0;
    this.captureThread = t;
    this.model.threadSuccessors(this.fullBytes, t, this.capture);
    const steps = this.freshTop / STEP;
    if (!this.full_ && this.roomFor(steps)) this.insert(a, b, h, steps);
    else this.full_ = true;
    this.eSteps = this.fresh;
    this.eAt = 0;
    this.eCount = steps;
  }

  /** The steps of the memo entry whose slot words are (x, y), into `eSteps` / `eAt` / `eCount`. */
  private entry(x: number, y: number): void {
    if (y < 0) {
      const st = this.inlineStep;
      st[0] = x & 0xffff;
      st[1] = 0;
      st[2] = x >>> 16;
      st[3] = y & ~INLINE;
      this.eSteps = st;
      this.eAt = 0;
      this.eCount = 1;
    } else {
      this.eSteps = this.arena;
      this.eAt = y - 1;
      this.eCount = x;
    }
  }

  /** The steps `entry` or `computeSteps` found: `eCount` steps in `eSteps` from `eAt` */
  private eSteps: Int32Array = new Int32Array(0);
  private eAt = 0;
  private eCount = 0;
  private readonly inlineStep = new Int32Array(STEP);

  /** Push the found steps (`eSteps`...) of thread t, applied to the code at `words[o..]`, to `sink`. */
  private pushSteps(words: Int32Array, o: number, t: number, which: number, sink: WordSink): void {
    // thread t's number and the pages number: in word 0 or 1 of the code, at a bit offset, under a mask
    const T = this.threads;
    const rw = this.posWord[t]!;
    const rs = this.posShift[t]!;
    const rk = this.posKeep[t]!;
    const pw = this.posWord[T]!;
    const ps = this.posShift[T]!;
    const pk = this.posKeep[T]!;
    const c0 = words[o]!;
    const c1 = this.stateBytes > 4 ? words[o + 1]! : 0;
    const steps = this.eSteps;
    for (let p = this.eAt, end = p + this.eCount * STEP; p < end; p += STEP) {
      let w0 = c0;
      let w1 = c1;
      if (rw === 0) w0 = (w0 & rk) | (steps[p + 2]! << rs);
      else w1 = (w1 & rk) | (steps[p + 2]! << rs);
      if (pw === 0) w0 = (w0 & pk) | (steps[p + 3]! << ps);
      else w1 = (w1 & pk) | (steps[p + 3]! << ps);
      sink.push(w0, w1, steps[p]!, steps[p + 1]!, which);
    }
  }

  /** The memo slot of key (a, b) with hash h, or -1. */
  private probe(a: number, b: number, h: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const q = SLOT * slot;
      if (table[q + 3] === 0) return -1;
      if (table[q] === a && table[q + 1] === b) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** The model state of the numbers in `cur`, into `full`. */
  private decodeCur(): void {
    this.expand(this.cur, this.full);
  }

  /** Emit the found steps (`eSteps`...) of thread t, applied to the current state (`cur`). */
  private replay(t: number, which: number, emit: Emit): void {
    const T = this.threads;
    const cur = this.cur;
    const out = this.outIds;
    const steps = this.eSteps;
    for (let j = 0; j < T; j++) out[j] = cur[j]!;
    for (let p = this.eAt, end = p + this.eCount * STEP; p < end; p += STEP) {
      out[t] = steps[p + 2]!;
      out[T] = steps[p + 3]!;
      emit(this.outBytes, steps[p]!, steps[p + 1]!, which);
    }
  }

  /** Whether an entry of `count` steps fits in `maxBytes`, the arrays' growth included. */
  private roomFor(count: number): boolean {
    const need = this.arenaTop + count * STEP;
    let arenaWords = this.arena.length;
    while (arenaWords < need) arenaWords *= 2;
    const tableWords = 2 * (this.used + 1) > this.mask + 1 ? 2 * this.table.length : this.table.length;
    return 4 * (arenaWords + tableWords) + this.fresh.byteLength <= this.maxBytes;
  }

  /** Store key (a, b) with the `count` steps in `fresh`. */
  private insert(a: number, b: number, h: number, count: number): void {
    if (2 * (this.used + 1) > this.mask + 1) this.growTable();
    const fresh = this.fresh;
    let x: number;
    let y: number;
    if (this.width === 16 && count === 1 && fresh[1] === 0 && fresh[0]! >= 0 && fresh[0]! <= 0xffff) {
      // 16-bit numbers: the one step fits the slot
      x = fresh[0]! | (fresh[2]! << 16);
      y = fresh[3]! | INLINE;
    } else {
      const need = this.arenaTop + count * STEP;
      if (need > this.arena.length) this.arena = grown(this.arena, need);
      const base = this.arenaTop;
      const arena = this.arena;
      for (let j = 0; j < count * STEP; j++) arena[base + j] = fresh[j]!;
      this.arenaTop = need;
      x = count;
      y = base + 1;
    }
    const table = this.table;
    let slot = h & this.mask;
    while (table[SLOT * slot + 3] !== 0) slot = (slot + 1) & this.mask;
    table[SLOT * slot] = a;
    table[SLOT * slot + 1] = b;
    table[SLOT * slot + 2] = x;
    table[SLOT * slot + 3] = y;
    this.used++;
  }

  private growTable(): void {
    const old = this.table;
    const slots = 2 * (this.mask + 1);
    const table = takeInt32(SLOT * slots);
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += SLOT) {
      if (old[i + 3] === 0) continue;
      let slot = memoHash(old[i]!, old[i + 1]!) & mask;
      while (table[SLOT * slot + 3] !== 0) slot = (slot + 1) & mask;
      for (let j = 0; j < SLOT; j++) table[SLOT * slot + j] = old[i + j]!;
    }
    giveBack(old);
    this.table = table;
    this.mask = mask;
  }
}
