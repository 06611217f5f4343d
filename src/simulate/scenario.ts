/**
 * A random deep run: (version, platform, device, programs) and a walk
 * through the run's steps. Every part is a small number that fast-check
 * generates and shrinks toward 0, so a failing scenario shrinks to fewer
 * threads, shorter programs, the first device configurations and the first
 * successor at each step. The walk picks successor `choice mod count` at
 * each step and stops when it runs out of choices or the run ends.
 */
import fc from 'fast-check';
import { deviceConfigs, type DeviceConfig } from '../../models/devices.ts';
import { platformById } from '../../models/platforms.ts';
import { SESSION_STARTS, SESSIONS, type Program } from '../../models/programs.ts';
import { RunModel } from '../../models/run-model.ts';
import type { EntryPoint } from '../../models/versions.ts';
import { Severity, SEVERITY_NAMES, type Property } from '../../properties/index.ts';
import { specOf, type RunTask } from '../check/matrix.ts';

export interface Scenario {
  readonly version: string;
  readonly platform: string;
  /** threads (CPUs) of the run */
  readonly threads: number;
  /**
   * index into the platform's device configurations for the most threads (modulo their number);
   * with one thread, pool=shared is pool=own (one device has its pool to itself), so the
   * device stays the same when fast-check shrinks the threads
   */
  readonly device: number;
  /** per thread slot: session indices (modulo the sessions allowed); cut at the calls bound */
  readonly sessions: readonly (readonly number[])[];
  /** per step: which successor to take (modulo their number) */
  readonly walk: readonly number[];
}

export interface ScenarioSpace {
  readonly versions: readonly string[];
  readonly platforms: readonly string[];
  readonly entryPoints: readonly EntryPoint[];
  /** at most this many threads and calls per thread */
  readonly threads: number;
  readonly calls: number;
}

/** Sessions whose calls are all allowed (a session cut short keeps its start). */
function sessionsOf(space: Pick<ScenarioSpace, 'entryPoints'>): Program[] {
  const allowed = new Set(space.entryPoints);
  return SESSIONS.map((s) => s.filter((c) => allowed.has(c))).filter((s) => s.length > 0 && SESSION_STARTS.has(s[0]!));
}

/** Steps a walk may take: generous for the longest programs (a call takes at most a handful of steps). */
export const maxSteps = (space: Pick<ScenarioSpace, 'threads' | 'calls'>): number => space.threads * space.calls * 8;

export function scenarioArbitrary(space: ScenarioSpace): fc.Arbitrary<Scenario> {
  const nSessions = sessionsOf(space).length;
  if (nSessions === 0) throw new Error('no session can be built from the allowed entry points');
  return fc.record({
    version: fc.constantFrom(...space.versions),
    platform: fc.constantFrom(...space.platforms),
    threads: fc.integer({ min: 1, max: space.threads }),
    device: fc.nat({ max: 63 }),
    sessions: fc.array(fc.array(fc.nat({ max: nSessions - 1 }), { minLength: 1, maxLength: space.calls }), { minLength: space.threads, maxLength: space.threads }),
    walk: fc.array(fc.nat({ max: 63 }), { maxLength: maxSteps(space), size: 'max' }),
  });
}

/** The run a scenario describes. */
export function scenarioTask(s: Scenario, space: ScenarioSpace): RunTask {
  // simulated programs are dma-direct sessions, which never reach per-device coherent memory (only dma_alloc_attrs() does)
  const configs = deviceConfigs(platformById(s.platform)!, space.threads).configs.filter((d) => !d.devmem);
  let device: DeviceConfig = configs[s.device % configs.length]!;
  if (device.pool === 'shared' && s.threads < 2) device = { ...device, pool: 'own' };
  const sessions = sessionsOf(space);
  const programs: Program[] = [];
  for (let t = 0; t < s.threads; t++) {
    const calls: EntryPoint[] = [];
    for (const i of s.sessions[t] ?? [0]) calls.push(...sessions[i % sessions.length]!);
    programs.push(calls.slice(0, space.calls));
  }
  return { index: 0, version: s.version, platform: s.platform, device, programs };
}

export interface WalkViolation {
  readonly property: string;
  readonly severity: 'effective' | 'latent';
  /** the actions up to and including the violating step */
  readonly actions: readonly number[];
}

/** Walk a run; the first violation of `props` (effective before latent, in property order at one step), or undefined. */
export function walkRun(task: RunTask, walk: readonly number[], props: readonly Property[]): WalkViolation | undefined {
  const model = new RunModel(specOf(task));
  let state: Uint8Array = new Uint8Array(model.stateBytes);
  model.initial(state);
  const actions: number[] = [];
  const choices: { next: Uint8Array; action: number; found?: { property: string; severity: 'effective' | 'latent' } }[] = [];
  for (const choice of walk) {
    choices.length = 0;
    model.successors(state, (next, action, obs, n) => {
      let best: { property: string; severity: 'effective' | 'latent'; rank: number } | undefined;
      for (let i = 0; i < n; i++)
        props.forEach((p, k) => {
          const sev = p.check(obs[i]!, model.spec.platform);
          if (sev === Severity.NONE) return;
          const rank = (sev === Severity.EFFECTIVE ? 0 : 1000) + k;
          if (!best || rank < best.rank) best = { property: p.id, severity: SEVERITY_NAMES[sev] as 'effective' | 'latent', rank };
        });
      choices.push({ next: next.slice(), action, ...(best ? { found: { property: best.property, severity: best.severity } } : {}) });
    });
    if (!choices.length) return undefined;
    const pick = choices[choice % choices.length]!;
    actions.push(pick.action);
    if (pick.found) return { ...pick.found, actions };
    state = pick.next;
  }
  return undefined;
}
