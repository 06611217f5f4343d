/**
 * The composition root of one side of a patch-equivalence check: a run of
 * a kernel version (models/) presented to the generic trace-equivalence
 * checker as a LabelledSystem, its steps labelled by an observable
 * definition.
 *
 * No state reduction is applied: labels name threads and pages, so the
 * symmetry and partial-order reductions of `verify` (which merge states
 * that differ by a thread or page permutation, or drop interleavings)
 * would merge traces that are observably different.
 */
import { outcomeEvent } from '../../models/environment.ts';
import { actionOutcome, actionThread, RunModel } from '../../models/run-model.ts';
import type { RunSpec } from '../../models/run.ts';
import { EVENT_ID } from '../../models/vocabulary.ts';
import { WorldView } from '../../models/world.ts';
import type { LabelledSystem } from './labelled-system.ts';
import { stepLabels, type LabelContext, type ObservableDefinition } from './observable.ts';

export interface DmaLabelledSystem extends LabelledSystem {
  readonly model: RunModel;
}

export function dmaLabelledSystem(spec: RunSpec, def: ObservableDefinition): DmaLabelledSystem {
  const model = new RunModel(spec);
  const pages = model.world.layout.pages;
  const ctx: LabelContext = { platform: spec.platform, pageName: (p) => pages[p]?.name ?? `page?${p}` };
  const labels: string[] = [];
  const pre = new WorldView(model.world.layout);
  const callOf = { thread: 0, entryPoint: '' };
  return {
    model,
    initialStates(emit) {
      const s = new Uint8Array(model.stateBytes);
      model.initial(s);
      emit(s);
    },
    successors(state, emit) {
      model.successors(state, (next, action, obs, n) => {
        let call: typeof callOf | undefined;
        if (outcomeEvent(actionOutcome(action)) === EVENT_ID.CALL) {
          pre.buf = state;
          callOf.thread = actionThread(action);
          callOf.entryPoint = model.entryPoint(pre, callOf.thread)!;
          call = callOf;
        }
        emit(next, action, stepLabels(def, call, obs, n, ctx, labels));
      });
    },
  };
}
