/**
 * `dmacheck simulate` as a function: random deep runs beyond the exhaustive
 * bound with fast-check. Each fast-check run is a random scenario (see
 * scenario.ts) walked step by step with every selected property checked;
 * the first violation fails the property, fast-check shrinks the scenario,
 * and the shrunk scenario becomes a normal trace (buildTrace on the run it
 * describes, programs cut to the calls it started), which `dmacheck replay`
 * accepts. The same seed (and path) gives the same scenarios and the same
 * trace.
 */
import fc from 'fast-check';
import { RunModel } from '../../models/run-model.ts';
import { WorldView } from '../../models/world.ts';
import { specOf, type RunTask } from '../check/matrix.ts';
import { selectProperties } from '../check/run-task.ts';
import { buildTrace, replayActions, type Trace } from '../check/trace.ts';
import { scenarioArbitrary, scenarioTask, walkRun, type Scenario, type ScenarioSpace, type WalkViolation } from './scenario.ts';

export interface SimulateOptions {
  readonly seed: number;
  /** fast-check runs (random scenarios) */
  readonly runs: number;
  readonly space: ScenarioSpace;
  readonly properties: readonly string[];
  /** a fast-check counterexample path, to replay one failure directly */
  readonly path?: string;
}

export interface SimulateFound {
  readonly scenario: Scenario;
  readonly task: RunTask;
  readonly violation: WalkViolation;
  readonly trace: Trace;
  readonly shrinks: number;
  /** fast-check's counterexample path: with the seed, replays this failure at once */
  readonly path: string;
}

export interface SimulateOutcome {
  readonly seed: number;
  /** scenarios run (up to and including the failing one) */
  readonly runs: number;
  readonly found?: SimulateFound;
}

/** Cut each program after the calls the path started (at least one call each), if the path still violates the same way. */
function trimPrograms(task: RunTask, v: WalkViolation): RunTask {
  const model = new RunModel(specOf(task));
  const steps = replayActions(model, v.actions);
  const last = steps[steps.length - 1];
  if (!last) return task;
  const w = new WorldView(model.world.layout, last.after);
  const programs = task.programs.map((p, t) => p.slice(0, Math.max(1, w.pc(t) + (w.mstate(t) > 0 ? 1 : 0))));
  const trimmed = { ...task, programs };
  try {
    const trace = buildTrace(trimmed, v.property, v.severity, v.actions);
    if (trace.steps[trace.steps.length - 1]?.violates.includes(`${v.property}/${v.severity}`)) return trimmed;
  } catch {
    // the trimmed run cannot take the path: keep the programs as they were
  }
  return task;
}

export function simulate(opts: SimulateOptions): SimulateOutcome {
  const props = selectProperties(opts.properties);
  const space = opts.space;
  const prop = fc.property(scenarioArbitrary(space), (s) => walkRun(scenarioTask(s, space), s.walk, props) === undefined);
  const details = fc.check(prop, { seed: opts.seed, numRuns: opts.runs, ...(opts.path ? { path: opts.path } : {}) });
  if (!details.failed) return { seed: opts.seed, runs: details.numRuns };
  if (!details.counterexample) throw new Error(`simulate: fast-check stopped without a counterexample (seed ${opts.seed})`);
  const [scenario] = details.counterexample;
  const task0 = scenarioTask(scenario, space);
  let violation: WalkViolation | undefined;
  try {
    violation = walkRun(task0, scenario.walk, props);
  } catch (e) {
    throw new Error(`simulate: model error on seed ${opts.seed} path ${details.counterexamplePath}: ${(e as Error).message}`);
  }
  if (!violation) throw new Error(`simulate: seed ${opts.seed} path ${details.counterexamplePath} failed without a violation: ${String(details.errorInstance)}`);
  const task = trimPrograms(task0, violation);
  const trace = buildTrace(task, violation.property, violation.severity, violation.actions);
  return {
    seed: opts.seed,
    runs: details.numRuns,
    found: { scenario, task, violation, trace, shrinks: details.numShrinks, path: details.counterexamplePath },
  };
}
