/**
 * Replay a checked trace on a kernel version, matching steps by (CPU,
 * event, page name) and adapting to calls a patch added, removed or
 * reordered (see walk.ts), and say what happens:
 *
 * - `reproduced` (exit 1): some step of the path violates the trace's
 *   property with the trace's severity (on the trace's own version this
 *   always holds: checkTrace makes sure);
 * - `other violation` (exit 1): the trace's violation does not happen, but
 *   another invariant (or the same one with the other severity) is violated
 *   on the path;
 * - `violated later` (exit 1): the recorded steps replay without a
 *   violation, but one is reachable after them: from the state the
 *   recorded steps end in, the explorer runs the rest of the recorded
 *   programs in every interleaving and with every environment outcome, and
 *   finds the shortest continuation to each violated invariant. A CI job
 *   that replays a trace to confirm a fix must not pass when the fix only
 *   moved the bug a few steps further, hence exit 1;
 * - `fixed` (exit 0): every recorded step replays (or is dropped because the
 *   version no longer makes that successful call), no invariant is violated
 *   at any step of the path, and none is reachable from its end within the
 *   rest of the recorded programs;
 * - `diverged` at step N (exit 3): the version cannot take step N: the CPU
 *   is in another entry point, the call cannot answer as recorded, or a
 *   recorded failure has no call to fail; both sides of the step are given;
 * - `not applicable` (exit 3): the version lacks an entry point of the
 *   programs, or the device configuration cannot happen there.
 */
import { exclusionReason } from '../../models/devices.ts';
import { RunModel } from '../../models/run-model.ts';
import { versionById, type EntryPoint } from '../../models/versions.ts';
import { platformById } from '../../models/platforms.ts';
import { WorldView } from '../../models/world.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { dmaSystem, goalProperty, goalSeverity } from '../check/dma-system.ts';
import { specOf } from '../check/matrix.ts';
import type { Trace, TraceStep } from '../check/trace.ts';
import { explore } from '../core/explorer.ts';
import { describeOption, optionLabel, pageName, stepOptions, violationsOf } from './step-options.ts';
import { walkAdapting, walkStrict } from './walk.ts';

export interface ReplayCommon {
  readonly version: string;
  /** how the path on this version differs from the recording: extra, dropped and renamed steps */
  readonly adjustments: readonly string[];
}

/** What the rest of the recorded programs can do from the end of the replayed path. */
export interface AfterTrace {
  /** per CPU with calls left: `CPU0: rest of dma_direct_alloc, dma_direct_free` */
  readonly remaining: readonly string[];
  /** states explored from the end (1: nothing left to run) */
  readonly states: number;
  /** false if the exploration stopped at its state bound before it finished */
  readonly complete: boolean;
}

/** Bound on the states explored after the trace; the rest of a few calls is far below it. */
const MAX_STATES_AFTER = 2_000_000;

export type ReplayVerdict =
  | ReplayCommon & {
    readonly verdict: 'reproduced';
    /** the recorded step where it happens (for an extra step: the recorded step it precedes) */
    readonly step: number;
    readonly extra: boolean;
    readonly violation: string;
  }
  | ReplayCommon & { readonly verdict: 'other violation'; readonly step: number; readonly extra: boolean; readonly violations: readonly string[] }
  | ReplayCommon & {
    readonly verdict: 'violated later'; readonly steps: number; readonly after: AfterTrace;
    /** every `property/severity` reachable after the recorded steps, the trace's own first if it is one */
    readonly violations: readonly string[];
    /** the shortest continuation to the first of them, one `CPU0 dma_direct_free CALL` label per step */
    readonly continuation: readonly string[];
  }
  | ReplayCommon & { readonly verdict: 'fixed'; readonly steps: number; readonly after: AfterTrace }
  | ReplayCommon & {
    readonly verdict: 'diverged'; readonly step: number; readonly reason: string;
    /** the step as the trace records it (on the trace's version) */
    readonly recorded: TraceStep;
    /** the steps the other version offers there */
    readonly offered: readonly TraceStep[];
  }
  | ReplayCommon & { readonly verdict: 'not applicable'; readonly reason: string };

/** 0 fixed, 1 reproduced, another violation or violated later, 3 diverged or not applicable (2 is bad input). */
export function replayExitCode(v: ReplayVerdict): 0 | 1 | 3 {
  switch (v.verdict) {
    case 'fixed': return 0;
    case 'reproduced': case 'other violation': case 'violated later': return 1;
    default: return 3;
  }
}

function modelOf(trace: Trace, versionId: string): RunModel {
  const { run } = trace;
  return new RunModel(specOf({ index: 0, version: versionId, platform: run.platform, device: run.device, programs: run.programs }));
}

/** Replay `trace` (checked by checkTrace) on `versionId` (default: its own version). */
export function replayTrace(trace: Trace, versionId: string = trace.run.version): ReplayVerdict {
  const version = versionById(versionId);
  if (!version) throw new Error(`unknown version ${versionId}`);
  const { run } = trace;
  const missing = run.programs.flat().find((c) => !version.machines[c as EntryPoint]);
  if (missing) return { verdict: 'not applicable', version: versionId, reason: `${versionId} has no ${missing}`, adjustments: [] };
  const platform = platformById(run.platform)!;
  const why = exclusionReason(platform, run.device, run.programs.length);
  if (why) return { verdict: 'not applicable', version: versionId, reason: why, adjustments: [] };
  // Where each recorded step was taken on its own version (checkTrace made sure it can be).
  const own = walkStrict(modelOf(trace, run.version), trace.steps);
  if (own.stop) throw new Error(`trace does not replay on its own version at step ${own.stop.step}: check it with checkTrace first`);
  const placed = trace.steps.map((s, i) => ({ ...s, pc: own.taken[i]!.pc, envCall: own.taken[i]!.envCall }));
  const model = modelOf(trace, versionId);
  const w = walkAdapting(model, placed);
  const id = `${trace.property}/${trace.severity}`;
  const base = { version: versionId, adjustments: w.adjustments };
  const at = (k: number) => {
    const t = w.taken[k]!;
    if (t.recorded > 0) return { step: t.recorded, extra: false };
    const next = w.taken.slice(k).find((x) => x.recorded > 0)?.recorded ?? w.stop?.step ?? trace.steps.length;
    return { step: next, extra: true };
  };
  let other: { step: number; extra: boolean; violations: string[] } | undefined;
  for (let k = 0; k < w.taken.length; k++) {
    const v = violationsOf(model, w.taken[k]!.obs);
    if (v.includes(id)) return { verdict: 'reproduced', ...base, ...at(k), violation: id };
    if (v.length && !other) other = { ...at(k), violations: v };
  }
  if (other) return { verdict: 'other violation', ...base, ...other };
  if (w.stop) {
    return {
      verdict: 'diverged', ...base, step: w.stop.step, reason: w.stop.reason,
      recorded: trace.steps[w.stop.step - 1]!,
      offered: w.stop.options.map((o) => describeOption(model, o, w.stop!.step)),
    };
  }
  const end = w.taken.length ? w.taken[w.taken.length - 1]!.after : initialState(model);
  const later = afterTrace(model, end, id);
  if (later.violations.length)
    return { verdict: 'violated later', ...base, steps: trace.steps.length, after: later.after, violations: later.violations, continuation: later.continuation };
  return { verdict: 'fixed', ...base, steps: trace.steps.length, after: later.after };
}

function initialState(model: RunModel): Uint8Array {
  const s = new Uint8Array(model.stateBytes);
  model.initial(s);
  return s;
}

/** The calls each CPU has left at `state`. */
function remainingCalls(model: RunModel, state: Uint8Array): string[] {
  const v = new WorldView(model.world.layout, state);
  return model.spec.programs.flatMap((prog, t) => {
    const pc = v.pc(t);
    const left = prog.slice(pc).map((c, i) => (i === 0 && v.mstate(t) !== 0 ? `rest of ${c}` : c));
    return left.length ? [`CPU${t}: ${left.join(', ')}`] : [];
  });
}

/**
 * Run the rest of the programs from `end` with the explorer of verify (the
 * same system, without the reductions, whose shortest paths are those of
 * the full interleaving semantics) and report every violation it reaches.
 */
function afterTrace(model: RunModel, end: Uint8Array, own: string): { after: AfterTrace; violations: string[]; continuation: string[] } {
  const sys = dmaSystem(model.spec, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false });
  const r = explore({ ...sys, initialStates: (emit) => emit(end) }, { symmetry: false, maxStates: MAX_STATES_AFTER });
  const after = { remaining: remainingCalls(model, end), states: r.states, complete: r.complete };
  const hits = r.goals.flatMap((g, bit) => (g ? [{ id: `${PROPERTIES[goalProperty(bit)]!.id}/${goalSeverity(bit)}`, actions: g.actions }] : []));
  hits.sort((a, b) => Number(b.id === own) - Number(a.id === own));
  const continuation: string[] = [];
  let state = end;
  for (const a of hits[0]?.actions ?? []) {
    const o = stepOptions(model, state).find((x) => x.action === a)!;
    continuation.push(optionLabel({ ...o, page: pageName(model, o.page) }));
    state = o.after;
  }
  return { after, violations: hits.map((h) => h.id), continuation };
}
