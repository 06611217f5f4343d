/**
 * The steps a run can take from a state, named the way a trace names them:
 * (CPU, entry point, outcome event, page name). Replay matches recorded
 * steps against these names, never against raw action numbers, so a trace
 * replays on any version whose model offers the same steps.
 */
import { PROPERTIES, Severity, SEVERITY_NAMES, type Property } from '../../properties/index.ts';
import type { Observation } from '../../models/observation.ts';
import type { RunModel } from '../../models/run-model.ts';
import { WorldView } from '../../models/world.ts';
import { traceSteps, type TraceStep } from '../check/trace.ts';

export interface StepOption {
  readonly action: number;
  readonly thread: number;
  /** the entry point the thread runs (or starts) in this step, and its position in the thread's program */
  readonly call: string;
  readonly pc: number;
  /** the environment call the thread waits in (undefined for `CALL`, which starts the entry point) */
  readonly envCall: string | undefined;
  readonly event: string;
  /** index of the page the environment chose, or -1 */
  readonly page: number;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly obs: readonly Observation[];
}

/** Every step from `state`, in the model's order. */
export function stepOptions(model: RunModel, state: Uint8Array): StepOption[] {
  const v = new WorldView(model.world.layout, state);
  const before = state.slice();
  const out: StepOption[] = [];
  model.successors(state, (next, action, obs, n) => {
    const d = model.describeAction(action);
    const pc = v.pc(d.thread);
    const ms = v.mstate(d.thread);
    out.push({
      action, thread: d.thread, call: model.entryPoint(v, d.thread) ?? '(program done)', pc,
      envCall: ms === 0 ? undefined : model.machines[d.thread]![pc]!.metas[ms - 1]!.call, event: d.event, page: d.page,
      before, after: next.slice(), obs: obs.slice(0, n).map((o) => ({ ...o })),
    });
  });
  return out;
}

export function pageName(model: RunModel, page: number): string | undefined {
  return page < 0 ? undefined : model.world.layout.pages[page]?.name;
}

/** `property/severity` ids this step violates, over `props` (every property by default). */
export function violationsOf(model: RunModel, obs: readonly Observation[], props: readonly Property[] = PROPERTIES): string[] {
  const ids: string[] = [];
  for (const o of obs)
    for (const p of props) {
      const s = p.check(o, model.spec.platform);
      if (s === Severity.NONE) continue;
      const id = `${p.id}/${SEVERITY_NAMES[s]}`;
      if (!ids.includes(id)) ids.push(id);
    }
  return ids;
}

/** The step as a trace prints it (kernel position, world change, violations of every property). */
export function describeOption(model: RunModel, o: StepOption, stepNumber: number): TraceStep {
  const [s] = traceSteps(model, [{ action: o.action, before: o.before, after: o.after, obs: o.obs }], PROPERTIES);
  return { ...s!, step: stepNumber };
}

/** One line: `CPU0 dma_direct_alloc SET_DECRYPTED_OK pool0.slot0`. */
export function optionLabel(o: { thread: number; call: string; event: string; page?: string | undefined }): string {
  return `CPU${o.thread} ${o.call} ${o.event}${o.page ? ` ${o.page}` : ''}`;
}
