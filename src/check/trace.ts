/**
 * Counterexample traces as data: the run, and per step the thread, the
 * entry point, the outcome event, the kernel position and the world change.
 * A trace replays deterministically: by actions on the run it was found on,
 * or by (thread, event, page) on any version (see replay).
 */
import { ENC_NAMES, ATTR_NAMES, HOME_NAMES, OUTCOME_EVENTS, Attr } from '../../models/vocabulary.ts';
import { ObsKind, type Observation } from '../../models/observation.ts';
import { RunModel, actionThread } from '../../models/run-model.ts';
import { deviceKey, type DeviceConfig } from '../../models/devices.ts';
import type { Program } from '../../models/programs.ts';
import { WorldView } from '../../models/world.ts';
import { outcomeEvent, outcomeChoice } from '../../models/environment.ts';
import { actionOutcome } from '../../models/run-model.ts';
import { Severity, SEVERITY_NAMES, type Property } from '../../properties/index.ts';
import { specOf, type RunTask } from './matrix.ts';
import { selectProperties } from './run-task.ts';

export const TRACE_FORMAT = 'dmacheck-trace';
export const TRACE_FORMAT_VERSION = 1;

export interface TraceStep {
  /** 1-based */
  readonly step: number;
  /** 0-based thread (CPU) */
  readonly thread: number;
  /** the entry point the thread is in */
  readonly call: string;
  /** the outcome event of this step (`CALL` starts the entry point) */
  readonly event: string;
  /** the page the environment chose, if any */
  readonly page?: string;
  /** machine state the thread waited in (or `start`), and its kernel position */
  readonly from: string;
  readonly source: string;
  /** machine state reached, or `returned` */
  readonly to: string;
  readonly toSource: string;
  /** world changes in words */
  readonly changes: readonly string[];
  /** `property/severity` violated by this step */
  readonly violates: readonly string[];
}

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly formatVersion: number;
  readonly run: {
    readonly version: string;
    readonly platform: string;
    readonly device: DeviceConfig;
    readonly deviceKey: string;
    readonly programs: readonly Program[];
  };
  readonly property: string;
  readonly severity: 'effective' | 'latent';
  /** the violated rule in one sentence, and what happened */
  readonly rule: string;
  readonly message: string;
  /** the model's actions for this run (replay on the same version) */
  readonly actions: readonly number[];
  readonly steps: readonly TraceStep[];
}

function copyObs(o: Observation): Observation {
  return { ...o };
}

/** Describe one observation in words, or undefined for internal ones. */
export function describeObservation(o: Observation, pageName: (p: number) => string): string | undefined {
  const pg = o.page >= 0 ? pageName(o.page) : '(bogus pointer)';
  switch (o.kind) {
    case ObsKind.SET_DECRYPTED:
    case ObsKind.SET_ENCRYPTED:
      return `${pg}: ${ENC_NAMES[o.encBefore]} -> ${ENC_NAMES[o.encAfter]} (${o.fn}() ${o.ok ? 'ok' : 'FAILS'})`;
    case ObsKind.TAKE: return `${pg}: taken from ${HOME_NAMES[o.dest]} (${ENC_NAMES[o.encAfter]})`;
    case ObsKind.GIVE_BACK: return `${pg}: freed to ${HOME_NAMES[o.dest]} (${ENC_NAMES[o.encAfter]})`;
    case ObsKind.LEAK: return `${pg}: leaked, ${ENC_NAMES[o.encAfter]} (${o.reason})`;
    case ObsKind.VMAP: return o.attr === Attr.NONE ? `${pg}: vmap alias removed` : `${pg}: vmap alias, ${ATTR_NAMES[o.attr]} prot`;
    case ObsKind.USER_MAP: return `${pg}: user mapping, ${ATTR_NAMES[o.attr]} prot`;
    case ObsKind.DMA_ADDR: return `${pg}: device gets ${ATTR_NAMES[o.attr] === 'decrypted' ? 'unencrypted' : 'encrypted'} DMA addr`;
    case ObsKind.RETURN: return `returns ${o.result}`;
    case ObsKind.MAY_SLEEP: return o.gfpBlocking ? undefined : `${o.fn}() may sleep under atomic gfp`;
    case ObsKind.BOGUS_POINTER: return o.reason;
    case ObsKind.FAILED_CALL: return `${o.fn}() FAILS`;
    case ObsKind.QUIESCE: return `${pg}: driver unmaps it and stops DMA`;
  }
  return undefined;
}

interface ReplayedStep {
  readonly action: number;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly obs: readonly Observation[];
}

/** Re-execute actions on a model; throws naming the 1-based step an action is not available at. */
export function replayActions(model: RunModel, actions: readonly number[]): ReplayedStep[] {
  let state: Uint8Array = new Uint8Array(model.stateBytes);
  model.initial(state);
  const out: ReplayedStep[] = [];
  actions.forEach((a, i) => {
    let found: ReplayedStep | undefined;
    model.successors(state, (next, action, obs, n) => {
      if (found || action !== a) return;
      found = { action, before: state, after: next.slice(), obs: obs.slice(0, n).map(copyObs) };
    });
    if (!found) throw new Error(`step ${i + 1}: the model cannot take this step`);
    out.push(found);
    state = found.after;
  });
  return out;
}

/** Render replayed steps as trace steps, with the violations of `props`. */
export function traceSteps(model: RunModel, steps: readonly ReplayedStep[], props: readonly Property[]): TraceStep[] {
  const layout = model.world.layout;
  const pageName = (p: number) => layout.pages[p]?.name ?? `page?${p}`;
  const v = new WorldView(layout);
  return steps.map((s, i) => {
    const t = actionThread(s.action);
    const o = actionOutcome(s.action);
    v.buf = s.before;
    const pc = v.pc(t);
    const m = model.machines[t]![pc]!;
    const ms = v.mstate(t);
    // before its first step a call is in its machine's initial state (`start` in the hand-written machines)
    const from = ms === 0 ? (m.machine.config.initial as string) : m.stateNames[ms - 1]!;
    const source = m.metas[ms === 0 ? m.stateIndex(from) : ms - 1]!.source;
    v.buf = s.after;
    const ms2 = v.pc(t) === pc ? v.mstate(t) : 0;
    const returned = v.pc(t) !== pc;
    const to = returned ? 'returned' : m.stateNames[ms2 - 1]!;
    const retObs = s.obs.find((x) => x.kind === ObsKind.RETURN);
    const toSource = returned ? (retObs ? `returns ${retObs.result}` : 'returned') : m.metas[ms2 - 1]!.source;
    const violates: string[] = [];
    for (const ob of s.obs) for (const p of props) {
      const sev = p.check(ob, model.spec.platform);
      if (sev !== Severity.NONE) {
        const id = `${p.id}/${SEVERITY_NAMES[sev]}`;
        if (!violates.includes(id)) violates.push(id);
      }
    }
    const choice = outcomeChoice(o);
    return {
      step: i + 1, thread: t, call: m.id, event: OUTCOME_EVENTS[outcomeEvent(o)]!,
      ...(choice >= 0 ? { page: pageName(choice) } : {}),
      from, source, to, toSource,
      changes: s.obs.map((ob) => describeObservation(ob, pageName)).filter((x): x is string => x !== undefined),
      violates,
    };
  });
}

/** Build the trace of a violation found by exploration. */
export function buildTrace(task: RunTask, property: string, severity: 'effective' | 'latent', actions: readonly number[]): Trace {
  const spec = specOf(task);
  const model = new RunModel(spec);
  const [prop] = selectProperties([property]);
  if (!prop) throw new Error(`unknown property ${property}`);
  const replayed = replayActions(model, actions);
  const steps = traceSteps(model, replayed, [prop]);
  const last = replayed[replayed.length - 1];
  const pageName = (p: number) => model.world.layout.pages[p]?.name ?? '(bogus pointer)';
  const wanted = severity === 'effective' ? Severity.EFFECTIVE : Severity.LATENT;
  const culprit = last?.obs.find((o) => prop.check(o, spec.platform) === wanted);
  return {
    format: TRACE_FORMAT,
    formatVersion: TRACE_FORMAT_VERSION,
    run: { version: task.version, platform: task.platform, device: task.device, deviceKey: deviceKey(task.device), programs: task.programs },
    property,
    severity,
    rule: prop.rule,
    message: culprit ? prop.explain(culprit, pageName(culprit.page)) : prop.rule,
    actions,
    steps,
  };
}
