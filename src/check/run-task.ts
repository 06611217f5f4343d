/**
 * Explore one run and report, as plain data, its state counts and the
 * shortest path to each violated (property, severity).
 */
import type { ExploreOptions } from '../core/explorer.ts';
import { PROPERTIES, type Property } from '../../properties/index.ts';
import { ENTRY_POINTS } from '../../models/versions.ts';
import { compile, resetStepCaches } from '../../models/step-cache.ts';
import { dmaSystem, exploreDma, goalProperty, goalSeverity, type Reductions } from './dma-system.ts';
import type { CheckableSystem } from '../core/checkable-system.ts';
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
    let out = 0;
    bits.forEach((b, i) => { if (g & (1 << b)) out |= 1 << i; });
    return out;
  };
  return {
    stateBytes: sys.stateBytes,
    goalCount: bits.length,
    initialStates: (emit) => sys.initialStates(emit),
    successors: (state, emit) => sys.successors(state, (n, a, g) => emit(n, a, map(g))),
    ...(sys.canonicalize ? { canonicalize: (s: Uint8Array) => sys.canonicalize!(s) } : {}),
  };
}

export function executeRun(task: RunTask, opts: RunOptions): RunOutcome {
  const props = selectProperties(opts.properties);
  const spec = specOf(task);
  const reductions = opts.reductions ?? {};
  // Most runs are small: start small, so that --max-memory is checked as the store grows.
  const por = reductions.por !== false;
  // With POR the ample thread is picked by index, so paths are re-derived below without it.
  const r = exploreDma((tuning) => dmaSystem(spec, props, reductions, tuning), {
    initialCapacity: 256, ...opts.explore, symmetry: reductions.symmetry !== false, concretize: !por,
  });
  let goals = r.goals;
  const found = goals.flatMap((g, bit) => (g ? [bit] : []));
  if (por && found.length > 0) {
    // Partial-order reduction keeps every violation but may order a local step of
    // another thread before it: the shortest counterexample comes from the full
    // interleaving semantics, searched only until every violation found is hit again.
    const again = exploreDma((tuning) => onlyGoals(dmaSystem(spec, props, { ...reductions, por: false }, tuning), found), {
      ...opts.explore, symmetry: reductions.symmetry !== false, stopWhenAllGoals: true,
    });
    goals = [];
    found.forEach((bit, i) => { goals[bit] = again.goals[i]; });
  }
  const violations: RunViolation[] = [];
  goals.forEach((g, bit) => {
    if (!g) return;
    violations.push({ property: props[goalProperty(bit)]!.id, severity: goalSeverity(bit), depth: g.depth, actions: g.actions });
  });
  return {
    index: task.index, states: r.states, transitions: r.transitions, maxDepth: r.maxDepth, complete: r.complete,
    ...(r.stopReason ? { stopReason: r.stopReason } : {}), bytesUsed: r.bytesUsed,
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
