/**
 * Explore one run and report, as plain data, its state counts and the
 * shortest path to each violated (property, severity).
 */
import type { ExploreOptions, ExploreResult } from '../core/explorer.ts';
import { PROPERTIES, type Property } from '../../properties/index.ts';
import { ENTRY_POINTS } from '../../models/versions.ts';
import { compile, resetStepCaches } from '../../models/step-cache.ts';
import { dmaSystem, exploreDma, goalProperty, goalSeverity, type DmaSystem, type Reductions, type Tuning } from './dma-system.ts';
import { STEP_MEMO_MAX_BYTES } from './collapse.ts';
import type { CheckableSystem, WordSink } from '../core/checkable-system.ts';
import { specOf, type RunTask } from './matrix.ts';

export interface RunViolation {
  readonly property: string;
  readonly severity: 'effective' | 'latent';
  /** steps of the shortest path, the violating step included */
  readonly depth: number;
  /** the path, as the model's actions (replayable on the same run) */
  readonly actions: readonly number[];
}

export interface RunOutcome {
  readonly index: number;
  readonly states: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly complete: boolean;
  readonly stopReason?: string;
  readonly bytesUsed: number;
  /** hash-compact mode: upper bound on the probability that a state was missed */
  readonly omissionProbability?: number;
  readonly violations: readonly RunViolation[];
}

export interface RunOptions {
  readonly properties: readonly string[];
  readonly explore?: ExploreOptions;
  readonly reductions?: Reductions;
}

export function selectProperties(ids: readonly string[]): Property[] {
  return PROPERTIES.filter((p) => ids.includes(p.id));
}

/** Only the goal bits in `bits`, renumbered 0..n-1. */
function onlyGoals(sys: CheckableSystem, bits: readonly number[]): CheckableSystem {
  const map = (g: number) => {
    if (g === 0) return 0;
    let out = 0;
    bits.forEach((b, i) => { if (g & (1 << b)) out |= 1 << i; });
    return out;
  };
  const many = sys.successorsOfMany?.bind(sys);
  const toSink = sys.successorsToSink?.bind(sys);
  let outer: WordSink | undefined;
  const mapped: WordSink = { push: (w0, w1, a, g, which) => outer!.push(w0, w1, a, map(g), which) };
  return {
    stateBytes: sys.stateBytes,
    goalCount: bits.length,
    initialStates: (emit) => sys.initialStates(emit),
    successors: (state, emit) => sys.successors(state, (n, a, g) => emit(n, a, map(g))),
    ...(many ? { successorsOfMany: (words: Int32Array, count: number, emit: (n: Uint8Array, a: number, g: number, which: number) => void) => many(words, count, (n, a, g, which) => emit(n, a, map(g), which)) } : {}),
    ...(toSink ? { successorsToSink: (words: Int32Array, count: number, sink: WordSink) => { outer = sink; toSink(words, count, mapped); } } : {}),
    ...(sys.canonicalize ? { canonicalize: (s: Uint8Array) => sys.canonicalize!(s) } : {}),
  };
}

/**
 * `exploreDma` of the system `make` builds, seen through `view`; afterwards
 * the system's memo size is read and its arrays are handed back for the
 * next run of this thread (`DmaSystem.release`).
 */
function exploreReleasing(make: (tuning: Pick<Tuning, 'idWidth'>) => DmaSystem, view: (sys: DmaSystem) => CheckableSystem, options: ExploreOptions): { result: ExploreResult; memoBytes: number } {
  let last: DmaSystem | undefined;
  const result = exploreDma((tuning) => view((last = make(tuning))), options);
  const memoBytes = last?.memo?.bytesUsed() ?? 0;
  last?.release();
  return { result, memoBytes };
}

export function executeRun(task: RunTask, opts: RunOptions): RunOutcome {
  const props = selectProperties(opts.properties);
  const spec = specOf(task);
  const reductions = opts.reductions ?? {};
  const por = reductions.por !== false;
  // The run's memory bound covers the explorer's tables and the reused steps together:
  // the steps get a quarter of it (at most their default), the explorer the rest.
  const maxBytes = opts.explore?.maxBytes;
  const memoMaxBytes = maxBytes === undefined ? undefined : Math.min(STEP_MEMO_MAX_BYTES, Math.floor(maxBytes / 4));
  const memo = memoMaxBytes === undefined ? {} : { memoMaxBytes };
  const explore = memoMaxBytes === undefined ? opts.explore : { ...opts.explore, maxBytes: maxBytes! - memoMaxBytes };
  // Most runs are small: start small, so that --max-memory is checked as the store grows.
  // With POR the ample thread is picked by index, so paths are re-derived below without it.
  const { result: r, memoBytes } = exploreReleasing((tuning) => dmaSystem(spec, props, reductions, { ...tuning, ...memo }), (sys) => sys, {
    initialCapacity: 256, ...explore, symmetry: reductions.symmetry !== false, concretize: !por,
  });
  const bytesUsed = r.bytesUsed + memoBytes;
  let goals = r.goals;
  let complete = r.complete;
  let stopReason = r.stopReason;
  const found = goals.flatMap((g, bit) => (g ? [bit] : []));
  if (por && found.length > 0) {
    // Partial-order reduction keeps every violation but may order a local step of
    // another thread before it: the shortest counterexample comes from the full
    // interleaving semantics, searched only until every violation found is hit again.
    const again = exploreReleasing((tuning) => dmaSystem(spec, props, { ...reductions, por: false }, { ...tuning, ...memo }), (sys) => onlyGoals(sys, found), {
      ...explore, symmetry: reductions.symmetry !== false, stopWhenAllGoals: true,
    }).result;
    goals = [];
    found.forEach((bit, i) => { goals[bit] = again.goals[i]; });
    // That search explores more states: a limit can stop it before a violation the reduced run found.
    // The violation is not lost silently: the run is reported as cut.
    if (found.some((_, i) => again.goals[i] === undefined)) {
      complete = false;
      stopReason = again.stopReason ?? 'max-states';
    }
  }
  const violations: RunViolation[] = [];
  goals.forEach((g, bit) => {
    if (!g) return;
    violations.push({ property: props[goalProperty(bit)]!.id, severity: goalSeverity(bit), depth: g.depth, actions: g.actions });
  });
  return {
    index: task.index, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, complete,
    ...(stopReason ? { stopReason } : {}), bytesUsed,
    ...(r.hashCompact ? { omissionProbability: r.omissionProbability } : {}), violations,
  };
}

/** Coverage ids reached in this thread since the last call, per version and entry point. */
const reported = new Map<string, Set<string>>();

/** Start recording coverage afresh in this thread (in-process runs). */
export function resetCoverage(): void {
  reported.clear();
  resetStepCaches();
}
export function drainCoverage(versions: readonly string[]): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const vid of versions) {
    const spec = specOf({ index: 0, version: vid, platform: 'plain-x86', device: { coherent: true, pool: 'none', gfp: 'blocking', nkm: false }, programs: [] });
    for (const ep of ENTRY_POINTS) {
      const key = `${vid}/${ep}`;
      let seen = reported.get(key);
      if (!seen) reported.set(key, (seen = new Set()));
      const fresh = [...compile(spec.version.machines[ep]).reached].filter((id) => !seen!.has(id));
      fresh.forEach((id) => seen!.add(id));
      if (fresh.length) (out[vid] ??= {})[ep] = fresh;
    }
  }
  return out;
}
