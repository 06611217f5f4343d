/**
 * Generic exhaustive breadth-first explorer over a `CheckableSystem`.
 *
 * Knows nothing about DMA. States are deduplicated (after `canonicalize`
 * when symmetry reduction is on) in a `StateStore` or, for states of at
 * most 8 bytes, a `SmallStateStore` (both exact), or a `FingerprintStore`
 * (hash compaction, `hashCompact: true`). State index =
 * insertion order = BFS order; for every state the explorer records its
 * parent index and the action that reached it, so any state's path can be
 * rebuilt. For each goal bit the FIRST step in BFS order that raises it is
 * recorded: since BFS expands states by nondecreasing depth and successors
 * are emitted deterministically, that is a shortest path to the goal, and
 * the same one on every run.
 *
 * Under symmetry reduction the recorded path runs through canonical
 * representatives; before it is returned it is translated into a path of
 * the concrete (unreduced) system from an emitted initial state, so
 * `GoalHit.actions` can always be replayed with `replayPath` on the system
 * as is. That translation throws if `canonicalize` turns out not to be a
 * symmetry of the system.
 *
 * Performance design (no per-state allocation in the hot loop): states move
 * as zero-padded 32-bit words; emitted successors are copied into a batch
 * of BATCH slots (canonicalized there), and a full batch — or the end of a
 * BFS level — is deduplicated at once: hash all, touch all table slots (so
 * the cache misses overlap), then insert in emit order. Batching changes
 * nothing observable: successors are processed in emit order, all of one
 * level before the next, and limits stop at the same successor as without.
 * States of at most 8 bytes in the exact store (`SmallStateStore`) from a
 * system with `successorsToSink` arrive as words and skip the byte copies;
 * they are batched the same way. (Deduplicating each one at once
 * measured 1.065x slower on the heavy bench run, in-process A/B of 18
 * rounds: a probe branches on its slot's contents, so the CPU cannot
 * run ahead to the next lookup's miss while one is outstanding. On the
 * bench's tdx run, whose 4 MiB table stays in the caches, four A/Bs of
 * 30-60 rounds gave 0.90-1.05x: no clear loss. Choosing the path by table
 * size measured slower on the heavy run: two sinks make the collapse's
 * call site polymorphic, one sink with both paths is too big for V8 to
 * inline the store's insert.)
 * The stores' and parent links' arrays come from, and go back to, the
 * thread's buffer pool (buffer-pool.ts): a verify explores thousands of
 * small runs in a row.
 *
 * Engine memory (`bytesUsed`) per stored state, exact mode: arena
 * 4*ceil(stateBytes/4) + parents 4 + actions 2, times up to ARENA_GROWTH
 * (1.4) of slack, plus 4 / load (0.35..0.7) for the index table: 33..45
 * bytes measured for 20-byte states. Hash-compact mode: 8 / load + 6 (times
 * slack) + the BFS queue (the widest frontier).
 */
import { giveBack, grownUint16, grownUint32, takeInt32, takeUint16, takeUint32 } from './buffer-pool.ts';
import type { CheckableSystem, WordSink } from './checkable-system.ts';
import { ARENA_GROWTH, FingerprintStore, SMALL_STATE_BYTES, SmallStateStore, StateQueue, StateStore, wordsPerState } from './state-store.ts';
import type { DedupStore } from './state-store.ts';

export interface ExploreProgress {
  /** States stored so far (successors still in the batch, not yet deduplicated, are not counted). */
  states: number;
  /** Successors emitted so far. */
  transitions: number;
  /** BFS depth of the states being expanded. */
  depth: number;
}

export interface ExploreOptions {
  /** Stop (complete: false, stopReason 'max-states') rather than store more states. */
  maxStates?: number;
  /**
   * Stop (complete: false, stopReason 'max-bytes') rather than let the
   * engine's typed arrays (`bytesUsed`) exceed this many bytes. Checked
   * before every allocation; the transient copy made while an array grows is
   * not counted.
   */
  maxBytes?: number;
  /** Use `system.canonicalize` if present (default true). */
  symmetry?: boolean;
  /** Stop (stopReason 'all-goals') as soon as every goal bit has been hit (ignored if goalCount is 0). */
  stopWhenAllGoals?: boolean;
  /**
   * Under symmetry, translate goal paths into concrete paths (default true).
   * With false, `GoalHit.actions` run through canonical representatives
   * (only their length is meaningful): for systems whose successor relation
   * is not itself symmetric, e.g. with an ample-set reduction that picks a
   * thread by index, whose caller re-derives the paths another way.
   */
  concretize?: boolean;
  /** Called about every 2^16 expansions. */
  onProgress?: (p: ExploreProgress) => void;
  /**
   * Hash compaction: store 64-bit fingerprints only (~18-30 bytes a state
   * plus the BFS queue); a state whose fingerprint collides with an earlier
   * one is omitted, with probability at most `omissionProbability`.
   */
  hashCompact?: boolean;
  /** Initial capacity (states) of the store and per-state arrays (default 4096). */
  initialCapacity?: number;
}

export type StopReason = 'max-states' | 'max-bytes' | 'all-goals';

export interface GoalHit {
  bit: number;
  /** Number of steps of the path, the raising step included (= actions.length). */
  depth: number;
  /** Which initial state the path starts from, in `initialStates` emit order (duplicates counted). */
  initialIndex: number;
  /** Actions from that initial state; the last one raises the goal. */
  actions: number[];
}

export interface ExploreResult {
  /** Distinct states stored (after canonicalization). */
  states: number;
  /** Successors emitted (duplicates included). */
  transitions: number;
  /** Greatest BFS depth of a stored state (initial states: 0). */
  maxDepth: number;
  complete: boolean;
  stopReason?: StopReason;
  /** Indexed by goal bit; undefined = not reached (a proof of unreachability iff complete). */
  goals: Array<GoalHit | undefined>;
  /** Bytes of all typed arrays the engine held at the end. */
  bytesUsed: number;
  hashCompact: boolean;
  /** Upper bound on the probability that a state was omitted (0 in exact mode). */
  omissionProbability: number;
}

export interface ReplayResult {
  /** states[0] is the initial state, states[i] the state after step i. */
  states: Uint8Array[];
  /** goals[i] is the goal mask raised by step i+1 (actions[i]). */
  goals: number[];
}

function grownLength(cap: number): number {
  return Math.max(cap + 16, Math.ceil(cap * ARENA_GROWTH));
}

/** Successors buffered before they are deduplicated together (see `flush`). */
const BATCH = 256;

/** States handed to `successorsOfMany` at once. */
const EXPAND = 64;

/** Expansions between two `onProgress` calls. */
const PROGRESS_EVERY = 1 << 16;

export function explore(system: CheckableSystem, options: ExploreOptions = {}): ExploreResult {
  const sb = system.stateBytes;
  const goalCount = system.goalCount;
  if (!Number.isInteger(sb) || sb < 1) throw new RangeError(`explore: stateBytes must be a positive integer, got ${sb}`);
  if (!Number.isInteger(goalCount) || goalCount < 0 || goalCount > 32) {
    throw new RangeError(`explore: goalCount must be an integer in 0..32, got ${goalCount}`);
  }
  const maxStates = options.maxStates ?? Infinity;
  const maxBytes = options.maxBytes ?? Infinity;
  if (!(maxStates >= 0)) throw new RangeError(`explore: maxStates must be >= 0, got ${maxStates}`);
  if (!(maxBytes >= 0)) throw new RangeError(`explore: maxBytes must be >= 0, got ${maxBytes}`);
  const useSymmetry = options.symmetry !== false && typeof system.canonicalize === 'function';
  const canonicalize = useSymmetry ? system.canonicalize!.bind(system) : null;
  const compact = options.hashCompact === true;
  const stopWhenAllGoals = options.stopWhenAllGoals === true && goalCount > 0;
  const onProgress = options.onProgress;
  const initialCapacity = Math.max(16, Math.floor(options.initialCapacity ?? 4096));

  const exact: StateStore | SmallStateStore | null = compact
    ? null
    : sb <= SMALL_STATE_BYTES
      ? new SmallStateStore(sb, initialCapacity)
      : new StateStore(sb, initialCapacity);
  const store: DedupStore = exact ?? new FingerprintStore(sb, initialCapacity);
  const queue: StateQueue | null = compact ? new StateQueue(sb, initialCapacity) : null;
  let auxCap = initialCapacity;
  let parents = takeUint32(auxCap);
  let actions = takeUint16(auxCap);
  // States travel as `sw` 32-bit words (zero-padded); the system sees byte views.
  const sw = wordsPerState(sb);
  // Fixed-size buffers, from the pool too: small runs are explored by the thousand.
  const curWords = takeInt32(sw);
  const cur = new Uint8Array(curWords.buffer, 0, sb);
  // Pending successors of the current BFS level, deduplicated by `flush`.
  const bWords = takeInt32(BATCH * sw);
  const bBytes = new Uint8Array(bWords.buffer, 0, bWords.byteLength);
  const bAction = takeUint16(BATCH);
  const bGoals = takeInt32(BATCH);
  const bSource = takeUint32(BATCH);
  const bHash = takeInt32(2 * BATCH);
  const manyWords = takeInt32(EXPAND * sw);
  // byte views of the batch slots, for canonicalize; made on first use (most runs are small)
  const bViews: Uint8Array[] = [];
  const bView = (k: number): Uint8Array => {
    while (bViews.length <= k) bViews.push(bBytes.subarray(4 * sw * bViews.length, 4 * sw * bViews.length + sb));
    return bViews[k]!;
  };
  let pending = 0;
  let touchSink = 0;

  const allMask = 2 ** goalCount - 1;
  let foundMask = 0;
  const goalSource = new Int32Array(goalCount).fill(-1);
  const goalAction = new Uint16Array(goalCount);
  const initialEmitIndex: number[] = [];

  let nStates = 0;
  let transitions = 0;
  let curIndex = 0;
  let curDepth = 0;
  let maxDepth = 0;
  let stopped: StopReason | undefined;

  const engineBytes = (): number =>
    store.bytesUsed() +
    (queue ? queue.bytesUsed() : 0) +
    parents.byteLength +
    actions.byteLength +
    curWords.byteLength +
    manyWords.byteLength +
    bWords.byteLength +
    bAction.byteLength +
    bGoals.byteLength +
    bSource.byteLength +
    bHash.byteLength;

  // Below this many states an insert needs no check (no limit, no allocation).
  let nextCheck = 0;
  const computeNextCheck = (): void => {
    let h = Math.min(store.headroom(), auxCap - nStates);
    if (queue) h = Math.min(h, queue.headroom());
    nextCheck = Math.min(nStates + Math.max(0, h), maxStates);
  };
  computeNextCheck();

  /** Insert with limit checks and growth; < 0 if present or refused (then `stopped` is set). */
  const slowInsert = (src: Int32Array, off: number, lo: number, hi: number): number => {
    let refuse: StopReason | undefined;
    if (nStates >= maxStates) {
      refuse = 'max-states';
    } else if (maxBytes !== Infinity) {
      let growth = store.bytesUsedAfterInsert() - store.bytesUsed();
      if (nStates >= auxCap) growth += (grownLength(auxCap) - auxCap) * 6;
      if (queue) growth += queue.bytesUsedAfterPush() - queue.bytesUsed();
      if (growth > 0 && engineBytes() + growth > maxBytes) refuse = 'max-bytes';
    }
    if (refuse !== undefined) {
      if (!store.hasHashedWords(src, off, lo, hi)) stopped = refuse;
      return -1;
    }
    const idx = store.insertHashedWords(src, off, lo, hi);
    if (idx >= 0) {
      if (idx >= auxCap) {
        auxCap = grownLength(auxCap);
        parents = grownUint32(parents, auxCap);
        actions = grownUint16(actions, auxCap);
      }
      if (queue) queue.pushWords(src, off);
      nStates = idx + 1;
      computeNextCheck();
    }
    return idx;
  };

  const recordGoals = (goals: number, source: number, action: number): void => {
    const fresh = goals & ~foundMask;
    if (fresh === 0) return;
    foundMask |= fresh;
    for (let b = 0; b < goalCount; b++) {
      if ((fresh & (1 << b)) !== 0) {
        goalSource[b] = source;
        goalAction[b] = action;
      }
    }
    if (stopWhenAllGoals && foundMask >>> 0 === allMask) stopped = 'all-goals';
  };

  /** Count a step from state `source`, recording its goals: false when they stop the search. */
  const stepTaken = (goals: number, source: number, action: number): boolean => {
    transitions++;
    if (goals === 0) return true;
    recordGoals(goals, source, action);
    return stopped === undefined;
  };

  /** New state `idx` was reached from state `source` by `action`, one level deeper. */
  const reached = (idx: number, source: number, action: number): void => {
    parents[idx] = source;
    actions[idx] = action;
    maxDepth = curDepth + 1;
  };

  // States of at most 8 bytes in the exact store, from a system that hands
  // its successors over as words, take the word-pair path (`sink`, `flushPairs`).
  const small = exact instanceof SmallStateStore ? exact : null;
  const toSink = small !== null && typeof system.successorsToSink === 'function' ? system.successorsToSink.bind(system) : null;

  /**
   * Deduplicate the pending successors, in emit order. All of them come from
   * states of depth `curDepth`. Hashing the whole batch and touching its
   * table slots before inserting lets the cache misses overlap.
   */
  const flush = (): void => {
    const n = pending;
    pending = 0;
    if (stopped !== undefined) return;
    if (toSink !== null) {
      flushPairs(small!, n);
      return;
    }
    for (let j = 0; j < n; j++) store.hashPairWords(bWords, j * sw, bHash, 2 * j);
    touchSink ^= store.touchAll(bHash, n); // keeps the loads alive
    for (let j = 0; j < n; j++) {
      if (!stepTaken(bGoals[j]!, bSource[j]!, bAction[j]!)) return;
      const off = j * sw;
      const lo = bHash[2 * j]!;
      const hi = bHash[2 * j + 1]!;
      let idx: number;
      if (nStates < nextCheck) {
        idx = store.insertHashedWords(bWords, off, lo, hi);
        if (idx >= 0) {
          nStates = idx + 1;
          if (queue !== null) queue.pushWords(bWords, off);
        }
      } else {
        idx = slowInsert(bWords, off, lo, hi);
        if (stopped !== undefined) return;
      }
      if (idx >= 0) reached(idx, bSource[j]!, bAction[j]!);
    }
  };

  /**
   * `flush` of a batch of word pairs (states of one or two words, `sink`)
   * into the small store: the same three phases, through its pair methods.
   */
  const flushPairs = (st: SmallStateStore, n: number): void => {
    const two = sw === 2;
    for (let j = 0; j < n; j++) bHash[2 * j] = st.hashPair(bWords[j * sw]!, two ? bWords[j * sw + 1]! : 0);
    touchSink ^= st.touchAll(bHash, n);
    for (let j = 0; j < n; j++) {
      const source = bSource[j]!;
      const action = bAction[j]!;
      if (!stepTaken(bGoals[j]!, source, action)) return;
      const h = bHash[2 * j]!;
      let idx = nStates < nextCheck ? st.insertPairFast(bWords[j * sw]!, two ? bWords[j * sw + 1]! : 0, h) : -2;
      if (idx === -2) {
        idx = slowInsert(bWords, j * sw, h, 0);
        if (stopped !== undefined) return;
      } else if (idx >= 0) {
        nStates = idx + 1;
      }
      if (idx >= 0) reached(idx, source, action);
    }
  };

  /** Batch slot k (its state already written) is a step from state `source`: flush a full batch. */
  const queued = (k: number, action: number, goals: number, source: number): void => {
    bAction[k] = action;
    bGoals[k] = goals;
    bSource[k] = source;
    pending = k + 1;
    if (pending === BATCH) flush();
  };

  // The last buffer the system emitted from, and a word view of it once it
  // is seen reused (systems typically emit from one reused buffer).
  const fullWords = sb >>> 2;
  const tailBytes = sb & 3;
  let srcArray: Uint8Array | null = null;
  let srcWords: Int32Array | null = null;
  let srcViewTried = false;

  /** The system's contract for a step's action and goals. */
  const checkStep = (action: number, goals: number): void => {
    if (!(action >= 0 && action <= 0xffff)) throw new RangeError(`explore: action ${action} is not in 0..65535`);
    if ((goals & ~allMask) !== 0) {
      throw new Error(`explore: a step raised goal mask 0x${(goals >>> 0).toString(16)} outside goalCount=${goalCount}`);
    }
  };

  const onSuccessor = (next: Uint8Array, action: number, goals: number): void => {
    if (stopped !== undefined) return;
    if (next.length !== sb) throw new Error(`explore: successor has ${next.length} bytes, stateBytes is ${sb}`);
    checkStep(action, goals);
    const k = pending;
    // Copy (never modify `next`: it may be the system's reused buffer).
    if (next === srcArray) {
      if (srcWords === null && !srcViewTried) {
        // Seen twice in a row: a reused, word-aligned array gets a word view.
        srcViewTried = true;
        if ((next.byteOffset & 3) === 0 && fullWords > 0) srcWords = new Int32Array(next.buffer, next.byteOffset, fullWords);
      }
    } else {
      srcArray = next;
      srcWords = null;
      srcViewTried = false;
    }
    if (srcWords !== null) {
      const off = k * sw;
      for (let j = 0; j < fullWords; j++) bWords[off + j] = srcWords[j]!;
      if (tailBytes !== 0) {
        const b = 4 * off;
        for (let j = 4 * fullWords; j < sb; j++) bBytes[b + j] = next[j]!;
      }
    } else {
      const b = 4 * k * sw;
      for (let j = 0; j < sb; j++) bBytes[b + j] = next[j]!;
    }
    if (canonicalize !== null) canonicalize(bView(k));
    queued(k, action, goals, curIndex);
  };

  // Initial states (depth 0), one at a time.
  let emitted = 0;
  const one = new Int32Array(2);
  system.initialStates((s: Uint8Array): void => {
    const emitIndex = emitted++;
    if (stopped !== undefined) return;
    if (s.length !== sb) throw new Error(`explore: initial state has ${s.length} bytes, stateBytes is ${sb}`);
    for (let j = 0; j < sb; j++) cur[j] = s[j]!;
    if (canonicalize !== null) canonicalize(cur);
    store.hashPairWords(curWords, 0, one, 0);
    const idx = slowInsert(curWords, 0, one[0]!, one[1]!);
    if (idx >= 0) {
      initialEmitIndex.push(emitIndex);
      parents[idx] = 0;
      actions[idx] = 0;
    }
  });
  const numInitial = initialEmitIndex.length;

  // Breadth-first search, level by level; with `successorsToSink` or
  // `successorsOfMany`, up to EXPAND states of one level at a time.
  const many = toSink === null && typeof system.successorsOfMany === 'function' ? system.successorsOfMany.bind(system) : null;
  let manyBase = 0;
  const onSuccessorOfMany = (next: Uint8Array, action: number, goals: number, which: number): void => {
    curIndex = manyBase + which;
    onSuccessor(next, action, goals);
  };
  // A successor handed over as words goes into the batch as one or two
  // words, canonicalized there like a byte successor, for `flushPairs`.
  // Bits past stateBytes are not part of the state (WordSink says they are 0: make sure).
  const mask0 = sb >= 4 ? -1 : (1 << (8 * sb)) - 1;
  const mask1 = sb >= 8 ? -1 : sb <= 4 ? 0 : (1 << (8 * (sb - 4))) - 1;
  const sink: WordSink = {
    push(w0: number, w1: number, action: number, goals: number, which: number): void {
      if (stopped !== undefined) return;
      checkStep(action, goals);
      const k = pending;
      bWords[k * sw] = w0 & mask0;
      if (sw === 2) bWords[k * sw + 1] = w1 & mask1;
      if (canonicalize !== null) canonicalize(bView(k));
      queued(k, action, goals, manyBase + which);
    },
  };
  let head = 0;
  let levelEnd = nStates;
  let nextProgress = PROGRESS_EVERY;
  while (stopped === undefined) {
    if (head === levelEnd) {
      flush();
      if (stopped !== undefined || head === nStates) break;
      curDepth++;
      levelEnd = nStates;
    }
    if (toSink !== null || many !== null) {
      const k = Math.min(EXPAND, levelEnd - head);
      for (let i = 0; i < k; i++) {
        if (exact !== null) exact.getWords(head + i, manyWords, i * sw);
        else queue!.shiftWords(manyWords, i * sw);
      }
      manyBase = head;
      if (toSink !== null) toSink(manyWords, k, sink);
      else many!(manyWords, k, onSuccessorOfMany);
      head += k;
    } else {
      if (exact !== null) exact.getWords(head, curWords, 0);
      else queue!.shiftWords(curWords, 0);
      curIndex = head;
      system.successors(cur, onSuccessor);
      head++;
    }
    if (head >= nextProgress) {
      nextProgress += PROGRESS_EVERY;
      if (onProgress !== undefined) onProgress({ states: nStates, transitions: transitions + pending, depth: curDepth });
    }
  }

  // Goal paths.
  const goals: Array<GoalHit | undefined> = new Array<GoalHit | undefined>(goalCount).fill(undefined);
  for (let b = 0; b < goalCount; b++) {
    const src = goalSource[b]!;
    if (src < 0) continue;
    const path: number[] = [goalAction[b]!];
    let i = src;
    while (i >= numInitial) {
      path.push(actions[i]!);
      i = parents[i]!;
    }
    path.reverse();
    const initialIndex = initialEmitIndex[i]!;
    const concrete = canonicalize !== null && options.concretize !== false ? concretizePath(system, initialIndex, path, b) : path;
    goals[b] = { bit: b, depth: concrete.length, initialIndex, actions: concrete };
  }

  const result: ExploreResult = {
    states: nStates,
    transitions,
    maxDepth,
    complete: stopped === undefined,
    goals,
    bytesUsed: engineBytes(),
    hashCompact: compact,
    omissionProbability: compact ? (store as FingerprintStore).omissionProbability() : 0,
  };
  if (stopped !== undefined) result.stopReason = stopped;
  // the next exploration of this thread reuses their memory (src/core/buffer-pool.ts)
  for (const a of [parents, actions, curWords, bWords, bAction, bGoals, bSource, bHash, manyWords]) giveBack(a);
  exact?.release();
  return result;
}

function nthInitialState(system: CheckableSystem, initialIndex: number, who: string): Uint8Array {
  let found: Uint8Array | undefined;
  let k = 0;
  system.initialStates((s: Uint8Array): void => {
    if (k++ === initialIndex) found = s.slice();
  });
  if (found === undefined) {
    throw new Error(`${who}: initial state ${initialIndex} does not exist (the system emits ${k} initial states)`);
  }
  return found;
}

/** First emitted successor of `state` for each action, in emit order (replay semantics). */
function successorList(system: CheckableSystem, state: Uint8Array): Array<{ action: number; goals: number; next: Uint8Array }> {
  const out: Array<{ action: number; goals: number; next: Uint8Array }> = [];
  const seen = new Set<number>();
  system.successors(state, (next: Uint8Array, action: number, goals: number): void => {
    if (seen.has(action)) return;
    seen.add(action);
    out.push({ action, goals, next: next.slice() });
  });
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * Translate a path through canonical representatives (each step taken from
 * the canonical form of the previous state) into a path of the concrete
 * system from the emitted initial state: at each step, take the first
 * concrete successor whose canonical form is the canonical path's next state
 * (and, on the last step, that raises `bit`).
 */
function concretizePath(system: CheckableSystem, initialIndex: number, canonActions: number[], bit: number): number[] {
  const canon = (s: Uint8Array): Uint8Array => {
    const c = s.slice();
    system.canonicalize!(c);
    return c;
  };
  let conc = nthInitialState(system, initialIndex, 'explore');
  let shadow = canon(conc);
  const out: number[] = [];
  for (let k = 0; k < canonActions.length; k++) {
    const last = k === canonActions.length - 1;
    const step = successorList(system, shadow).find((s) => s.action === canonActions[k]);
    if (step === undefined) throw new Error(`explore: internal error: canonical path step ${k + 1} (action ${canonActions[k]}) not replayable`);
    const target = canon(step.next);
    const match = successorList(system, conc).find(
      (s) => (!last || (s.goals & (1 << bit)) !== 0) && equalBytes(canon(s.next), target),
    );
    if (match === undefined) {
      throw new Error(
        `explore: canonicalize is not a symmetry of the system: step ${k + 1} of the path to goal bit ${bit} ` +
          `has no concrete counterpart`,
      );
    }
    out.push(match.action);
    conc = match.next;
    shadow = target;
  }
  return out;
}

/**
 * Re-execute a path: start from the `initialIndex`-th emitted initial state
 * and, for each action, take the first emitted successor with that action.
 * Throws an Error naming the (1-based) step if an action is not available.
 */
export function replayPath(system: CheckableSystem, initialIndex: number, actions: readonly number[]): ReplayResult {
  let state = nthInitialState(system, initialIndex, 'replayPath');
  const states: Uint8Array[] = [state];
  const goals: number[] = [];
  for (let k = 0; k < actions.length; k++) {
    const want = actions[k]!;
    let next: Uint8Array | undefined;
    let raised = 0;
    system.successors(state, (n: Uint8Array, action: number, g: number): void => {
      if (next === undefined && action === want) {
        next = n.slice();
        raised = g;
      }
    });
    if (next === undefined) {
      throw new Error(`replayPath: step ${k + 1} of ${actions.length}: action ${want} is not available in the current state`);
    }
    states.push(next);
    goals.push(raised);
    state = next;
  }
  return { states, goals };
}
