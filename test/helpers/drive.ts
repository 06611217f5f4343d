/**
 * Test helpers that drive the models by event names instead of action
 * numbers:
 *
 * - `drive(spec, steps)` runs one schedule of a run step by step through
 *   `RunModel.successors`, picking at each step the one successor whose
 *   `describeAction` matches `[thread, event, page?]`, and returns what each
 *   step observed and the world after it;
 * - `driveMachine(machine, input, events)` drives one entry-point machine
 *   through `CompiledMachine.start/step` (so the steps count as coverage)
 *   with hand-made input bits, without a world.
 */
import type { DeviceConfig } from '../../models/devices.ts';
import type { DmaMachine, MachineInput, MachineLocals } from '../../models/machines/dma-setup.ts';
import { OBS_KIND_NAMES, ObsKind, type Observation } from '../../models/observation.ts';
import { platformAt, platformById } from '../../models/platforms.ts';
import type { Program } from '../../models/programs.ts';
import { RunModel } from '../../models/run-model.ts';
import type { RunSpec } from '../../models/run.ts';
import { compile, INPUT_BITS, packInput, packLocals, unpackLocals } from '../../models/step-cache.ts';
import { ENTRY_POINTS, versionById, type EntryPoint } from '../../models/versions.ts';
import { ATTR_NAMES, ENC_NAMES, EVENT_ID, HANDLE_KIND_NAMES, HOME_NAMES, LOC_NAMES, type OutcomeEvent } from '../../models/vocabulary.ts';
import { WorldView } from '../../models/world.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { Severity } from '../../properties/property.ts';

/** `[thread, event]` or `[thread, event, page name]` (the page the environment picks). */
export type DriveStep = readonly [number, OutcomeEvent] | readonly [number, OutcomeEvent, string];

export interface StepResult {
  /** `thread:EVENT` or `thread:EVENT(page)` */
  readonly action: string;
  /** copies of the step's observations */
  readonly obs: readonly Observation[];
  /** the state after the step */
  readonly state: Uint8Array;
}

export interface PageState {
  readonly loc: (typeof LOC_NAMES)[number];
  readonly enc: (typeof ENC_NAMES)[number];
  readonly holder: number;
  readonly vmap: (typeof ATTR_NAMES)[number];
  readonly user: (typeof ATTR_NAMES)[number];
  readonly dma: (typeof ATTR_NAMES)[number];
}

export interface ThreadState {
  /** program counter: index of the next (or running) call */
  readonly pc: number;
  /** machine state name of the running call, or `idle` between calls */
  readonly at: string;
  readonly handle: (typeof HANDLE_KIND_NAMES)[number];
  /** name of the page the handle refers to, or null */
  readonly handlePage: string | null;
}

export interface Driven {
  readonly model: RunModel;
  readonly steps: readonly StepResult[];
  /** the world after the last step */
  readonly world: WorldView;
  /** page names, in layout order */
  readonly pageNames: readonly string[];
  /** a page's state after the last step (or after step `i`, 0-based) */
  page(name: string, i?: number): PageState;
  thread(t: number, i?: number): ThreadState;
  /** step `i`'s observations as text (see obsText); MAY_SLEEP left out unless `sleeps` */
  text(i: number, opts?: { sleeps?: boolean }): string[];
  /** the observations of every step as text, one array per step */
  texts(opts?: { sleeps?: boolean }): string[][];
}

/** Device configuration from `coherent=1,pool=own,gfp=blocking,nkm=0` (missing knobs: coherent, no pool, blocking, no NKM). */
export function device(text = ''): DeviceConfig {
  const kv = Object.fromEntries(text.split(',').filter(Boolean).map((p) => p.split('=') as [string, string]));
  const bad = Object.keys(kv).filter((k) => !['coherent', 'pool', 'gfp', 'nkm', 'mask', 'devmem'].includes(k));
  if (bad.length) throw new Error(`bad device knob ${bad.join(', ')}`);
  return {
    coherent: (kv['coherent'] ?? '1') === '1',
    pool: (kv['pool'] ?? 'none') as DeviceConfig['pool'],
    gfp: (kv['gfp'] ?? 'blocking') as DeviceConfig['gfp'],
    nkm: (kv['nkm'] ?? '0') === '1',
    ...(kv['mask'] ? { mask: kv['mask'] as 'below' | 'above' } : {}),
    ...(kv['devmem'] === '1' ? { devmem: true } : {}),
  };
}

/** A RunSpec from ids; programs are lists of entry points, `dma_direct_` prefix optional (the mapping.c front end by its full names). */
export function spec(version: string, platform: string, dev: string | DeviceConfig, programs: readonly (readonly string[])[]): RunSpec {
  const v = versionById(version);
  const p = platformById(platform);
  if (!v) throw new Error(`unknown version ${version}`);
  if (!p) throw new Error(`unknown platform ${platform}`);
  const progs: Program[] = programs.map((prog) => prog.map((c) => ((ENTRY_POINTS as readonly string[]).includes(c) ? c : `dma_direct_${c}`) as EntryPoint));
  return { version: v, platform: platformAt(p, v.env), device: typeof dev === 'string' ? device(dev) : dev, programs: progs };
}

/** One observation as short text, e.g. `set_memory_decrypted pool0.slot0 ok DEC->DEC`. */
export function obsText(o: Observation, pageName: (p: number) => string): string {
  const pg = o.page >= 0 ? pageName(o.page) : '-';
  switch (o.kind) {
    case ObsKind.SET_DECRYPTED:
    case ObsKind.SET_ENCRYPTED:
      return `${o.fn} ${pg} ${o.ok ? 'ok' : 'failed'} ${ENC_NAMES[o.encBefore]}->${ENC_NAMES[o.encAfter]}`;
    case ObsKind.TAKE: return `take ${pg} (${o.fn}) ${ENC_NAMES[o.encAfter]}`;
    case ObsKind.GIVE_BACK: return `give back ${pg} to ${HOME_NAMES[o.dest]} (${o.fn}) ${ENC_NAMES[o.encAfter]}`;
    case ObsKind.LEAK: return `leak ${pg} ${ENC_NAMES[o.encAfter]}`;
    case ObsKind.VMAP: return `vmap ${pg} ${ATTR_NAMES[o.attr]}`;
    case ObsKind.USER_MAP: return `user map ${pg} ${ATTR_NAMES[o.attr]}`;
    case ObsKind.DMA_ADDR: return `dma addr ${pg} ${ATTR_NAMES[o.attr]}`;
    case ObsKind.RETURN: return `return ${o.result}${o.page >= 0 ? ` ${pg}` : ''}`;
    case ObsKind.MAY_SLEEP: return `may sleep ${o.fn}${o.gfpBlocking ? '' : ' (atomic gfp)'}`;
    case ObsKind.BOGUS_POINTER: return `bogus pointer ${o.fn}${o.page >= 0 ? ` ${pg}` : ''}`;
    case ObsKind.FAILED_CALL: return `failed ${o.fn}`;
    case ObsKind.QUIESCE: return `quiesce ${pg}`;
    case ObsKind.WARN: case ObsKind.MASK: return `${OBS_KIND_NAMES[o.kind]} ${o.reason}`;
    default: return `${OBS_KIND_NAMES[o.kind]} ${pg}`;
  }
}

interface Candidate { readonly thread: number; readonly event: string; readonly page: number; readonly next: Uint8Array; readonly obs: Observation[] }

/** Every successor of `state`, with copies of its state and observations. */
export function successorsOf(model: RunModel, state: Uint8Array): Candidate[] {
  const out: Candidate[] = [];
  model.successors(state, (next, action, obs, n) => {
    const d = model.describeAction(action);
    out.push({ ...d, next: next.slice(), obs: obs.slice(0, n).map((o) => ({ ...o })) });
  });
  return out;
}

/** Run `steps` on `s`, from the initial state; throws naming the available actions when a step does not match exactly one. */
export function drive(s: RunSpec, steps: readonly DriveStep[]): Driven {
  const model = new RunModel(s);
  const pages = model.world.layout.pages;
  const pageNames = pages.map((p) => p.name);
  const name = (p: number) => pageNames[p] ?? `#${p}`;
  const label = (c: { thread: number; event: string; page: number }) => `${c.thread}:${c.event}${c.page >= 0 ? `(${name(c.page)})` : ''}`;
  let state: Uint8Array = new Uint8Array(model.stateBytes);
  model.initial(state);
  const initial = state;
  const results: StepResult[] = [];
  for (const [i, st] of steps.entries()) {
    const [thread, event, page] = st;
    const all = successorsOf(model, state);
    const hits = all.filter((c) => c.thread === thread && c.event === event && (page === undefined || name(c.page) === page));
    if (hits.length !== 1)
      throw new Error(`step ${i + 1} [${st.join(', ')}]: ${hits.length} matching successors; available: ${all.map(label).join(' ') || '(none)'}`);
    const c = hits[0]!;
    state = c.next;
    results.push({ action: label(c), obs: c.obs, state });
  }
  const stateAt = (i?: number) => (i === undefined ? state : i < 0 ? initial : results[i]!.state);
  const view = (i?: number) => new WorldView(model.world.layout, stateAt(i));
  const pageIndex = (n: string) => {
    const p = pageNames.indexOf(n);
    if (p < 0) throw new Error(`no page ${n} (pages: ${pageNames.join(', ')})`);
    return p;
  };
  const text = (i: number, opts?: { sleeps?: boolean }) =>
    results[i]!.obs.filter((o) => opts?.sleeps || o.kind !== ObsKind.MAY_SLEEP).map((o) => obsText(o, name));
  return {
    model,
    steps: results,
    world: view(),
    pageNames,
    page(n, i) {
      const v = view(i);
      const p = pageIndex(n);
      return {
        loc: LOC_NAMES[v.loc(p)], enc: ENC_NAMES[v.enc(p)], holder: v.holder(p),
        vmap: ATTR_NAMES[v.vmap(p)], user: ATTR_NAMES[v.user(p)], dma: ATTR_NAMES[v.dma(p)],
      };
    },
    thread(t, i) {
      const v = view(i);
      const ms = v.mstate(t);
      const m = model.machines[t]![v.pc(t)];
      return {
        pc: v.pc(t),
        at: ms === 0 ? 'idle' : m!.stateNames[ms - 1]!,
        handle: HANDLE_KIND_NAMES[v.handleKind(t)]!,
        handlePage: v.handlePage(t) >= 0 ? name(v.handlePage(t)) : null,
      };
    },
    text,
    texts: (opts) => results.map((_, i) => text(i, opts)),
  };
}

export interface MachineDrive {
  /** resting state names after start and after each event */
  readonly path: readonly string[];
  /** the final (or last resting) state */
  readonly end: string;
  readonly locals: MachineLocals;
}

const NO_INPUT: MachineInput = {
  F: false, R: false, C: true, B: true, NKM: false, remapConfig: false, coherentPoolConfig: false,
  setUncachedConfig: false, highmemCmaConfig: false, cpuAddrIsVmalloc: false, forceBounce: false, swiotlbBuffer: false,
  devCoherent: false, callerShared: false, ccMemEncrypt: false,
};

/**
 * Drive one machine with hand-made input bits: from `from` (default: its
 * start) answer each call state with the next event. With `from` set, the
 * machine is put in that state with `input` and `locals` as its context, even
 * if no consistent run gets there with that context.
 */
export function driveMachine(
  machine: DmaMachine, input: Partial<MachineInput>, events: readonly OutcomeEvent[],
  from?: { readonly state: string; readonly locals?: Partial<MachineLocals> },
): MachineDrive {
  const m = compile(machine);
  const bits = packInput({ ...NO_INPUT, ...input });
  const path: string[] = [];
  let s: number;
  let locals: number;
  if (from) {
    s = m.stateIndex(from.state);
    locals = packLocals({ ...unpackLocals(0), ...from.locals });
    path.push(from.state);
  } else {
    const packed = m.start(bits);
    s = packed & 255;
    locals = packed >> 8;
    path.push(m.stateNames[s]!);
  }
  for (const ev of events) {
    if (m.finals[s]) throw new Error(`${m.id}: ${ev} after the final state ${m.stateNames[s]}`);
    const packed = m.step(s, bits | (locals << INPUT_BITS), EVENT_ID[ev]);
    if (packed < 0) throw new Error(`${m.id}.${m.stateNames[s]} has no transition for ${ev}`);
    s = packed & 255;
    locals = packed >> 8;
    path.push(m.stateNames[s]!);
  }
  return { path, end: m.stateNames[s]!, locals: unpackLocals(locals) };
}

/** The properties step `i` of a drive violates, as `id (effective|latent)`. */
export function stepViolations(d: Driven, i: number): string[] {
  const out: string[] = [];
  for (const o of d.steps[i]!.obs)
    for (const p of PROPERTIES) {
      const s = p.check(o, d.model.spec.platform);
      if (s !== Severity.NONE) out.push(`${p.id} (${s === Severity.EFFECTIVE ? 'effective' : 'latent'})`);
    }
  return [...new Set(out)];
}

/** The outcomes thread 0 is offered after its first `CALL`. */
export function offersAfterCall(s: RunSpec): string[] {
  const model = new RunModel(s);
  const init = new Uint8Array(model.stateBytes);
  model.initial(init);
  const [call] = successorsOf(model, init);
  return successorsOf(model, call!.next).map((c) => c.event);
}
