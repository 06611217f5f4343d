/**
 * What the HTML report draws for a counterexample beyond the trace itself:
 * the state of every page before the first step and after each step, and
 * for each step the exact path through the thread's machine (states and
 * transitions as coverage ids), found by re-running the step in xstate with
 * the thread's context, the way the step cache records coverage.
 */
import { createActor } from 'xstate';
import { transitionId, type TransitionLike } from '../../models/coverage.ts';
import { RunModel, actionThread } from '../../models/run-model.ts';
import { INPUT_BITS, unpackInput, unpackLocals } from '../../models/step-cache.ts';
import type { DmaMachine, MachineContext } from '../../models/machines/dma-setup.ts';
import { Attr, ENC_NAMES, LOC_NAMES, Loc } from '../../models/vocabulary.ts';
import { WorldView } from '../../models/world.ts';
import { specOf } from '../check/matrix.ts';
import { replayActions, type Trace } from '../check/trace.ts';

export interface StepPath {
  /** states entered, in order, starting with the state the thread waited in */
  readonly states: readonly string[];
  /** transitions taken (coverage ids) */
  readonly transitions: readonly string[];
}

export interface TraceDetail {
  readonly threads: number;
  readonly pages: readonly string[];
  /** page states: [0] before the first step, [i] after step i; each one short text per page */
  readonly pageStates: readonly (readonly string[])[];
  /** per step, the path through the thread's machine */
  readonly paths: readonly StepPath[];
}

/** Short description of a page: encryption, where it is, and the aliases it has. */
function pageState(v: WorldView, p: number): string {
  const loc = v.loc(p);
  const where = loc === Loc.USED ? (v.holder(p) < v.layout.threads ? `held by CPU${v.holder(p)}` : 'held by its exporter') : LOC_NAMES[loc];
  const aliases: string[] = [];
  const attr = (a: number) => (a === Attr.DEC ? 'dec' : 'enc');
  if (v.vmap(p) !== Attr.NONE) aliases.push(`vmap ${attr(v.vmap(p))}`);
  if (v.user(p) !== Attr.NONE) aliases.push(`user ${attr(v.user(p))}`);
  if (v.dma(p) !== Attr.NONE) aliases.push(`dma ${attr(v.dma(p))}`);
  return `${ENC_NAMES[v.enc(p)]} ${where}${aliases.length ? `; ${aliases.join(', ')}` : ''}`;
}

const pathCache = new WeakMap<DmaMachine, Map<string, StepPath>>();

/** The microsteps of one step of `machine`: from `from` (undefined = a fresh call) with context bits `ctx` on `event`. */
function machinePath(machine: DmaMachine, from: string | undefined, ctx: number, event: string | undefined): StepPath {
  let cache = pathCache.get(machine);
  if (!cache) pathCache.set(machine, (cache = new Map()));
  const key = `${from ?? ''}\u0000${ctx}\u0000${event ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const input = unpackInput(ctx & ((1 << INPUT_BITS) - 1));
  const context: MachineContext = { ...input, ...unpackLocals(ctx >>> INPUT_BITS) };
  const states: string[] = [from ?? String(machine.config.initial)];
  const transitions: string[] = [];
  const snapshot = from ? machine.resolveState({ value: from, context }) : undefined;
  const actor = createActor(machine, {
    ...(snapshot ? { snapshot } : {}),
    input,
    inspect: (ev) => {
      if (ev.type !== '@xstate.microstep') return;
      for (const t of (ev as unknown as { _transitions: TransitionLike[] })._transitions) {
        transitions.push(transitionId(t));
        for (const target of t.target ?? []) states.push(target.key);
      }
    },
  });
  actor.start();
  if (event) actor.send({ type: event as never });
  actor.stop();
  const path = { states, transitions };
  cache.set(key, path);
  return path;
}

/** Replay a trace on its own run; undefined when it no longer replays (the report then shows the trace alone). */
export function traceDetail(trace: Trace): TraceDetail | undefined {
  try {
    const task = { index: 0, version: trace.run.version, platform: trace.run.platform, device: trace.run.device, programs: trace.run.programs };
    const model = new RunModel(specOf(task as Parameters<typeof specOf>[0]));
    const replayed = replayActions(model, trace.actions);
    const layout = model.world.layout;
    const v = new WorldView(layout);
    const pagesOf = (buf: Uint8Array) => {
      v.buf = buf;
      return layout.pages.map((_, p) => pageState(v, p));
    };
    const initial = new Uint8Array(model.stateBytes);
    model.initial(initial);
    const pageStates = [pagesOf(initial), ...replayed.map((s) => pagesOf(s.after))];
    const paths = replayed.map((s, i) => {
      const t = actionThread(s.action);
      v.buf = s.before;
      const m = model.machines[t]![v.pc(t)]!;
      const ms = v.mstate(t);
      const ctx = model.inputBits(v, t) | (ms === 0 ? 0 : v.locals(t) << INPUT_BITS);
      const event = trace.steps[i]?.event;
      return ms === 0 ? machinePath(m.machine, undefined, ctx, undefined) : machinePath(m.machine, m.stateNames[ms - 1], ctx, event);
    });
    return { threads: layout.threads, pages: layout.pages.map((p) => p.name), pageStates, paths };
  } catch {
    return undefined;
  }
}
