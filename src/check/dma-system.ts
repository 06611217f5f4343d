/**
 * The composition root of one run: a RunModel (models/) checked against
 * properties (properties/), presented to the generic explorer as a
 * CheckableSystem. Goal bit 2i is property i violated effectively, 2i+1
 * latently. By default the explorer sees collapsed states and each thread
 * step is computed by the model and checked once, then replayed wherever it
 * recurs (collapse.ts); `stepMemo: false` gives the model's own states and
 * steps, to measure the bare model and to test the collapse against.
 */
import type { CheckableSystem } from '../core/checkable-system.ts';
import { explore, type ExploreOptions, type ExploreResult } from '../core/explorer.ts';
import type { Observation } from '../../models/observation.ts';
import { RunModel } from '../../models/run-model.ts';
import type { RunSpec } from '../../models/run.ts';
import type { Property } from '../../properties/index.ts';
import { Severity } from '../../properties/index.ts';
import { CollapsedSystem, CollapseOverflow, type IdWidth } from './collapse.ts';

/** What the reused steps report (bench, tests). */
export interface MemoStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  bytesUsed(): number;
}

export interface DmaSystem extends CheckableSystem {
  readonly model: RunModel;
  readonly properties: readonly Property[];
  /** the reused thread steps (undefined when `stepMemo: false`) */
  readonly memo: MemoStats | undefined;
  /** the model state of one of this system's states */
  modelState(state: Uint8Array): Uint8Array;
  /** hand its arrays back for reuse by the next run of this thread; read `memo` first, no use afterwards */
  release(): void;
}

export const goalBit = (propertyIndex: number, severity: Severity): number => 2 * propertyIndex + (severity === Severity.LATENT ? 1 : 0);
export const goalProperty = (bit: number): number => bit >> 1;
export const goalSeverity = (bit: number): 'effective' | 'latent' => (bit & 1 ? 'latent' : 'effective');

export interface Reductions {
  /** symmetry of identical threads and interchangeable pages (default on) */
  readonly symmetry?: boolean;
  /** partial-order reduction of thread-local steps (default on) */
  readonly por?: boolean;
}

export interface Tuning {
  /** collapsed states and reused thread steps (src/check/collapse.ts); default on. Off only to measure the bare model. */
  readonly stepMemo?: boolean;
  /** width of the collapsed states' component numbers (default 16; `exploreDma` widens on overflow) */
  readonly idWidth?: IdWidth;
  /** bound on the reused steps' memory (default STEP_MEMO_MAX_BYTES); past it, steps are computed each time */
  readonly memoMaxBytes?: number;
  /** most distinct components 16-bit numbers may name (default 65536; lower only to test the widening) */
  readonly idLimit?: number;
}

export function dmaSystem(spec: RunSpec, properties: readonly Property[], reductions: Reductions = {}, tuning: Tuning = {}): DmaSystem {
  const por = reductions.por !== false;
  const symmetry = reductions.symmetry !== false;
  const model = new RunModel(spec);
  const platform = spec.platform;
  const nProps = properties.length;
  if (nProps > 16) throw new Error('at most 16 properties');
  const goalsOf = (obs: readonly Observation[], n: number): number => {
    let goals = 0;
    for (let i = 0; i < n; i++) {
      const o = obs[i]!;
      for (let p = 0; p < nProps; p++) {
        const s = properties[p]!.check(o, platform);
        if (s !== Severity.NONE) goals |= 1 << goalBit(p, s);
      }
    }
    return goals;
  };
  if (tuning.stepMemo !== false) {
    const sys = new CollapsedSystem(model, 2 * nProps, goalsOf, por, symmetry, tuning.idWidth ?? 16, tuning.memoMaxBytes, tuning.idLimit);
    return Object.assign(sys, { properties, memo: sys as MemoStats, modelState: (state: Uint8Array) => sys.decode(state) });
  }
  let outer: (next: Uint8Array, action: number, goals: number) => void = () => {};
  const withGoals = (next: Uint8Array, action: number, obs: readonly Observation[], n: number) => outer(next, action, goalsOf(obs, n));
  return {
    model,
    properties,
    memo: undefined,
    stateBytes: model.stateBytes,
    goalCount: 2 * nProps,
    initialStates(emit) {
      const s = new Uint8Array(model.stateBytes);
      model.initial(s);
      emit(s);
    },
    successors(state, emit) {
      outer = emit;
      model.successors(state, withGoals, por);
    },
    modelState: (state) => state.slice(),
    release: () => {},
    ...(symmetry ? { canonicalize: (state: Uint8Array) => model.canonicalize(state) } : {}),
  };
}

/**
 * Explore the system `make(width)` builds: collapsed states with 16-bit
 * component numbers, or, when a run sees more components than they can
 * name, the same run again with 32-bit ones (same states, same results).
 */
export function exploreDma(make: (tuning: Pick<Tuning, 'idWidth'>) => CheckableSystem, options: ExploreOptions): ExploreResult {
  try {
    return explore(make({ idWidth: 16 }), options);
  } catch (e) {
    if (!(e instanceof CollapseOverflow)) throw e;
    return explore(make({ idWidth: 32 }), options);
  }
}
