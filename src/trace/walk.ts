/**
 * Follow a trace's recorded steps on a model, matching each step by
 * (CPU, outcome event, page name) and checking the CPU is in the recorded
 * entry point; never by raw action numbers.
 *
 * Strict mode validates a trace on the version it was found on: every
 * recorded step must be offered as recorded.
 *
 * Adapting mode replays it on another version, where a patch may add,
 * remove or reorder environment calls inside an entry point. The trace
 * fixes the schedule (which CPU runs when, which entry points it calls) and
 * the environment's answers; so, per CPU and per entry-point invocation:
 * - when the CPU waits in an environment call the recorded step does not
 *   answer, the trace's answer to that call from later in the same
 *   invocation is taken first (a patch reordered the calls); if the trace
 *   has none, the environment's first outcome (success, first free page) is
 *   taken as an extra step;
 * - a recorded success of a call the version no longer makes in that
 *   invocation is dropped;
 * - a recorded failure of such a call cannot be honoured: the walk stops
 *   (diverged), as it does when the call is made but cannot answer as
 *   recorded, or when the CPU skips or adds an entry point;
 * - a recorded page may be replaced by an interchangeable free page (the
 *   environment offers only the first of several identical pages, and which
 *   one is first can differ between versions).
 */
import type { RunModel } from '../../models/run-model.ts';
import { Loc, WorldView } from '../../models/world.ts';
import { optionLabel, pageName, stepOptions, type StepOption } from './step-options.ts';

/** What replay needs of a recorded step. */
export interface RecordedStep {
  readonly thread: number;
  readonly call: string;
  readonly event: string;
  readonly page?: string | undefined;
}

/** A recorded step with where it was taken on its own version (adapting mode needs both). */
export interface PlacedStep extends RecordedStep {
  /** position of `call` in the CPU's program */
  readonly pc: number;
  /** the environment call the step answers (undefined for `CALL`) */
  readonly envCall: string | undefined;
}

export interface WalkStop {
  /** 1-based recorded step that could not be taken */
  readonly step: number;
  /** why, in words */
  readonly reason: string;
  /** the steps the model offers there */
  readonly options: readonly StepOption[];
}

export interface Walk {
  /** the path taken, in order; `recorded` is the 1-based recorded step, or 0 for an extra step */
  readonly taken: readonly (StepOption & { readonly recorded: number })[];
  readonly stop?: WalkStop;
  /** how the path differs from the recording: extra, dropped and renamed steps */
  readonly adjustments: readonly string[];
}

/** Outcomes that inject a failure: a trace that needs one where the call is not made has diverged. */
export const isFailure = (event: string): boolean => event.endsWith('_FAILED');

/** Bound on extra steps per recorded step (entry points are acyclic; this only guards a model bug). */
const MAX_EXTRA = 64;

/** Whether free pages p and q are interchangeable in this state (same home, pool and page state). */
function interchangeable(model: RunModel, state: Uint8Array, p: number, q: number): boolean {
  const pages = model.world.layout.pages;
  const a = pages[p];
  const b = pages[q];
  if (!a || !b) return false;
  if (a.home !== b.home || a.pool !== b.pool || a.highmem !== b.highmem) return false;
  const v = new WorldView(model.world.layout, state);
  return v.loc(p) === Loc.FREE && v.loc(q) === Loc.FREE && v.enc(p) === v.enc(q) && v.vmap(p) === v.vmap(q)
    && v.user(p) === v.user(q) && v.dma(p) === v.dma(q);
}

export function walkStrict(model: RunModel, steps: readonly RecordedStep[]): Walk {
  return run(model, steps, undefined);
}

export function walkAdapting(model: RunModel, steps: readonly PlacedStep[]): Walk {
  return run(model, steps, steps);
}

function run(model: RunModel, steps: readonly RecordedStep[], placed: readonly PlacedStep[] | undefined): Walk {
  const names = model.world.layout.pages.map((p) => p.name);
  /** recorded page name -> page name on this model (a permutation: identity unless pages were swapped) */
  const rename = new Map<string, string>(names.map((n) => [n, n]));
  const adjustments: string[] = [];
  const taken: (StepOption & { recorded: number })[] = [];
  /** recorded steps already taken out of order */
  const early = new Set<number>();
  let state: Uint8Array = new Uint8Array(model.stateBytes);
  model.initial(state);
  const view = new WorldView(model.world.layout, state);
  const take = (o: StepOption, recorded: number) => {
    taken.push({ ...o, recorded });
    state = o.after;
  };
  /** The option that takes recorded step j as recorded (a page may become an interchangeable one). */
  const offered = (j: number, mine: readonly StepOption[]): StepOption | undefined => {
    const s = steps[j]!;
    const want = s.page === undefined ? undefined : rename.get(s.page) ?? s.page;
    const exact = mine.find((o) => o.event === s.event && pageName(model, o.page) === want);
    if (exact || !placed || want === undefined) return exact;
    const wanted = names.indexOf(want);
    const other = mine.find((o) => o.event === s.event && o.page >= 0 && interchangeable(model, state, wanted, o.page));
    if (other) {
      const got = names[other.page]!;
      const holder = [...rename].find(([, v]) => v === got)![0];
      rename.set(holder, want);
      rename.set(s.page!, got);
      adjustments.push(`step ${j + 1}: ${s.page} taken as ${got} (an identical free page)`);
    }
    return other;
  };
  for (let i = 0; i < steps.length; i++) {
    if (early.has(i)) continue;
    const s = steps[i]!;
    const p = placed?.[i];
    const stop = (reason: string, options: readonly StepOption[], at = i): Walk => ({ taken, stop: { step: at + 1, reason, options }, adjustments });
    for (let extra = 0; ; extra++) {
      const options = stepOptions(model, state);
      const mine = options.filter((o) => o.thread === s.thread);
      view.buf = state;
      const pc = view.pc(s.thread);
      const inCall = view.mstate(s.thread) !== 0;
      const waiting = mine[0]?.envCall;
      if (extra > MAX_EXTRA) return stop(`CPU${s.thread} keeps making calls the trace has no answer for`, options);
      if (p && inCall && (pc < p.pc || (pc === p.pc && s.event !== 'CALL' && waiting !== p.envCall))) {
        // The CPU waits in a call the recorded step does not answer: take the trace's
        // answer to that call from later in the same invocation, or else its first outcome.
        let j = i + 1;
        while (j < steps.length && !(steps[j]!.thread === s.thread && placed![j]!.pc === pc && placed![j]!.envCall === waiting && !early.has(j))) j++;
        if (pc === p.pc && j < steps.length) {
          const o = offered(j, mine);
          if (!o) return stop(`${waiting}() cannot answer ${steps[j]!.event} here`, options, j);
          adjustments.push(`step ${j + 1} taken before step ${i + 1} (${s.call} calls ${waiting}() earlier)`);
          early.add(j);
          take(o, j + 1);
          continue;
        }
        const o = mine[0]!;
        adjustments.push(`before step ${i + 1}: ${optionLabel({ ...o, page: pageName(model, o.page) })} (extra: ${o.envCall}() is not in the trace here)`);
        take(o, 0);
        continue;
      }
      if (p && s.event !== 'CALL' && pc > p.pc) {
        // The CPU has returned from the invocation the recorded step belongs to.
        if (isFailure(s.event)) return stop(`the trace makes ${p.envCall}() fail here, but CPU${s.thread}'s ${s.call} does not call it any more`, options);
        adjustments.push(`step ${i + 1}: ${optionLabel(s)} dropped (${s.call} does not call ${p.envCall}() there)`);
        break;
      }
      // The CPU is where the recorded step was taken: it must be offered as recorded.
      const match = offered(i, mine);
      if (match && match.call !== s.call)
        return stop(s.event === 'CALL' ? `CPU${s.thread} calls ${match.call} next here, not ${s.call}` : `CPU${s.thread} is in ${match.call} here, not ${s.call}`, options);
      if (match) { take(match, i + 1); break; }
      const where = mine[0];
      if (!where) return stop(`CPU${s.thread} has finished its program here`, options);
      if (where.call !== s.call)
        return stop(where.envCall === undefined ? `CPU${s.thread} calls ${where.call} next here, not ${s.call}` : `CPU${s.thread} is in ${where.call} here, not ${s.call}`, options);
      return stop(
        s.event === 'CALL' ? `CPU${s.thread} is still in ${where.call}, waiting in ${where.envCall}()`
          : where.envCall === undefined ? `CPU${s.thread} has returned from ${s.call}`
            : `${where.envCall}() cannot answer ${s.event}${s.page ? ` on ${rename.get(s.page) ?? s.page}` : ''} here`,
        options,
      );
    }
  }
  return { taken, adjustments };
}
