/**
 * The composition root of one run: a RunModel (models/) checked against
 * properties (properties/), presented to the generic explorer as a
 * CheckableSystem. Goal bit 2i is property i violated effectively, 2i+1
 * latently. Each thread step is computed by the model and checked once,
 * then replayed wherever it recurs (step-memo.ts).
 */
import type { CheckableSystem } from '../core/checkable-system.ts';
import type { Observation } from '../../models/observation.ts';
import { RunModel } from '../../models/run-model.ts';
import type { RunSpec } from '../../models/run.ts';
import type { Property } from '../../properties/index.ts';
import { Severity } from '../../properties/index.ts';
import { StepMemo } from './step-memo.ts';

export interface DmaSystem extends CheckableSystem {
  readonly model: RunModel;
  readonly properties: readonly Property[];
  /** the reused thread steps (undefined when `stepMemo: false`) */
  readonly memo: StepMemo | undefined;
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
  /** reuse each thread step across states (src/check/step-memo.ts); default on. Off only to measure the bare model. */
  readonly stepMemo?: boolean;
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
  const memo = tuning.stepMemo === false ? undefined : new StepMemo(model, goalsOf);
  let outer: (next: Uint8Array, action: number, goals: number) => void = () => {};
  const withGoals = (next: Uint8Array, action: number, obs: readonly Observation[], n: number) => outer(next, action, goalsOf(obs, n));
  return {
    model,
    properties,
    memo,
    stateBytes: model.stateBytes,
    goalCount: 2 * nProps,
    initialStates(emit) {
      const s = new Uint8Array(model.stateBytes);
      model.initial(s);
      emit(s);
    },
    successors(state, emit) {
      if (memo) return memo.successors(state, emit, por);
      outer = emit;
      model.successors(state, withGoals, por);
    },
    ...(symmetry ? { canonicalize: (state: Uint8Array) => model.canonicalize(state) } : {}),
  };
}
