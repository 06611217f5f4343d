/**
 * Patch equivalence of one run: the same platform, device configuration
 * and programs under version A and version B, compared by their
 * observable traces. A difference is effective when the platform can see
 * it (the run also differs under the definition's visible variant), latent
 * otherwise. Only plain data comes out, so it crosses to and from workers.
 */
import { specOf, type RunTask } from '../check/matrix.ts';
import { dmaLabelledSystem } from './dma-labelled-system.ts';
import { observableById, type ObservableDefinition } from './observable.ts';
import { checkTraceEquivalence, type Difference, type EquivalenceResult } from './trace-equivalence.ts';

export interface RunDiffOptions {
  /** id of the observable definition (observable.ts) */
  readonly observable: string;
  /** stop a run (incomplete) after this many product pairs */
  readonly maxPairs?: number;
}

export interface RunDiffOutcome {
  /** matrix index of the task (version A's matrix) */
  readonly index: number;
  readonly equivalent: boolean;
  readonly complete: boolean;
  /** product pairs explored under the requested definition */
  readonly pairs: number;
  readonly statesA: number;
  readonly statesB: number;
  readonly severity?: 'effective' | 'latent';
  /** the definition the difference below was found under (the visible variant for an effective one) */
  readonly observable?: string;
  readonly difference?: Difference;
}

export function definitionOf(id: string): ObservableDefinition {
  const def = observableById(id);
  if (!def) throw new Error(`unknown observable definition ${id}`);
  return def;
}

function compare(task: RunTask, versionB: string, def: ObservableDefinition, maxPairs: number | undefined): EquivalenceResult {
  const a = dmaLabelledSystem(specOf(task), def);
  const b = dmaLabelledSystem(specOf({ ...task, version: versionB }), def);
  return checkTraceEquivalence(a, b, maxPairs === undefined ? {} : { maxPairs });
}

/** Compare `task` (version A) with the same run under `versionB`. */
export function diffRun(task: RunTask, versionB: string, opts: RunDiffOptions): RunDiffOutcome {
  const def = definitionOf(opts.observable);
  const r = compare(task, versionB, def, opts.maxPairs);
  const base = { index: task.index, equivalent: r.equivalent, complete: r.complete, pairs: r.pairs, statesA: r.statesA, statesB: r.statesB };
  if (r.equivalent) return base;
  if (def.visibleVariant) {
    const visible = compare(task, versionB, definitionOf(def.visibleVariant), opts.maxPairs);
    if (visible.equivalent && visible.complete) return { ...base, severity: 'latent', observable: def.id, difference: r.difference! };
    // Effective: show the shortest difference the platform can see. (An incomplete
    // visible check without a difference counts as effective: it was not shown latent.)
    if (visible.difference) return { ...base, severity: 'effective', observable: def.visibleVariant, difference: visible.difference };
  }
  return { ...base, severity: 'effective', observable: def.id, difference: r.difference! };
}
