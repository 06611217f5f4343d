/**
 * `dmacheck diff A B` as a function: every run of A's matrix is compared
 * with the same run under B (same platform, device configuration and
 * programs), on the worker pool; the differing runs are grouped by
 * (platform, device configuration), each group with its shortest
 * distinguishing scenario replayed on both versions.
 *
 * The result is plain JSON, deterministic for a given selection whatever
 * the number of workers (timings live apart, under `timing`).
 */
import { treesOf } from '../extract/tree-registry.ts';
import type { TraceStep } from '../check/trace.ts';
import { deviceKey, type DeviceConfig } from '../../models/devices.ts';
import type { Program } from '../../models/programs.ts';
import { RunModel } from '../../models/run-model.ts';
import { buildMatrix, specOf, type Matrix, type RunTask } from '../check/matrix.ts';
import type { Selection } from '../check/selection.ts';
import { replayActions, traceSteps } from '../check/trace.ts';
import { runDiffAll, type DiffProgress } from './diff-pool.ts';
import { definitionOf, type RunDiffOutcome } from './run-diff.ts';
import type { SidePath } from './trace-equivalence.ts';

export const DIFF_FORMAT = 'dmacheck-diff';
export const DIFF_SCHEMA_VERSION = 1;

export interface DiffOptions {
  readonly a: string;
  readonly b: string;
  /** the runs: `versions` is ignored (A's matrix is built, each task paired with B) */
  readonly selection: Selection;
  /** observable definition id (default calls-v1) */
  readonly observable: string;
  /** worker threads (0 = in this thread) */
  readonly workers: number;
  readonly maxPairs?: number;
  readonly batchSize?: number;
  readonly onProgress?: (p: DiffProgress) => void;
}

/** One step of a side's scenario: a trace step (without property verdicts) with what was observed. */
export interface ScenarioStep extends Omit<TraceStep, 'violates'> {
  /** observable labels of the step (empty: an internal step) */
  readonly labels: readonly string[];
  /** index (0-based) in the scenario's sequence of the step's first label (internal steps: of the next one) */
  readonly at: number;
}

/** One observable label of the scenario, side by side. */
export interface ScenarioRow {
  /** 1-based */
  readonly index: number;
  readonly a?: string;
  readonly b?: string;
  /** the step (1-based) of each side that produced the label */
  readonly aStep?: number;
  readonly bStep?: number;
  /** the first (and only) row where the two sides differ */
  readonly differs: boolean;
}

export interface ScenarioSide {
  readonly version: string;
  /** the model's actions for this run (replay on the same version) */
  readonly actions: readonly number[];
  readonly steps: readonly ScenarioStep[];
}

export interface Scenario {
  readonly runIndex: number;
  readonly run: { readonly platform: string; readonly device: DeviceConfig; readonly deviceKey: string; readonly programs: readonly Program[] };
  readonly severity: 'effective' | 'latent';
  /** the observable definition the sequence is written in */
  readonly observable: string;
  /** number of observable labels of the distinguishing sequence */
  readonly length: number;
  /** the shortest distinguishing sequence; the last label is produced by `onlyIn` only */
  readonly word: readonly string[];
  readonly onlyIn: 'A' | 'B';
  /** what the other side can produce instead at the last position */
  readonly otherCanDo: readonly string[];
  readonly rows: readonly ScenarioRow[];
  readonly a: ScenarioSide;
  readonly b: ScenarioSide;
}

export interface DiffGroup {
  readonly platform: string;
  readonly device: string;
  /** effective if any run of the group differs effectively */
  readonly severity: 'effective' | 'latent';
  /** runs of this (platform, device) in the matrix, and how many differ */
  readonly runs: number;
  readonly differing: { readonly effective: number; readonly latent: number };
  /** the shortest scenario among the runs of the group's severity (ties: lowest run index) */
  readonly scenario: Scenario;
}

/**
 * Groups of one platform and severity whose shortest scenarios are the
 * same but for the names of the pages (a pool of its own names its slots
 * `pool0.slot0`, a shared one `slot0`): the device knobs they differ in
 * do not matter to the difference. Every group is in exactly one fold.
 */
export interface DiffFold {
  readonly platform: string;
  readonly severity: 'effective' | 'latent';
  /** positions in `groups`, in order; the first one's scenario stands for all */
  readonly groups: readonly number[];
  /** the groups' device configurations, in the same order */
  readonly devices: readonly string[];
}

/** Compact per-run record: [matrix index, product pairs, equivalent 1/0, complete 1/0]. */
export type DiffRunRecord = readonly [number, number, number, number];

export interface DiffResults {
  readonly tool: 'dmacheck';
  readonly format: typeof DIFF_FORMAT;
  readonly schemaVersion: number;
  readonly a: string;
  readonly b: string;
  readonly observable: { readonly id: string; readonly version: number; readonly description: string; readonly visibleVariant?: string };
  readonly verdict: 'equivalent' | 'different';
  /** false when a run hit the pair bound before a difference was found */
  readonly complete: boolean;
  readonly incompleteReason?: string;
  /** the runs compared: A's selection, with versions [A, B] */
  readonly selection: Selection;
  readonly totals: {
    readonly runs: number;
    readonly equivalent: number;
    readonly different: { readonly effective: number; readonly latent: number };
    readonly pairs: number;
  };
  readonly groups: readonly DiffGroup[];
  /** the groups folded by the same scenario (format v1 readers may ignore it) */
  readonly folds: readonly DiffFold[];
  readonly excluded: Matrix['excluded'];
  readonly runs: readonly DiffRunRecord[];
  readonly timing?: { readonly startedAt: string; readonly seconds: number; readonly workers: number };
}

/** Replay one side's path and describe its steps. */
function scenarioSide(task: RunTask, version: string, path: SidePath): ScenarioSide {
  const actions = path.steps.map((s) => s.action);
  const model = new RunModel(specOf({ ...task, version }));
  const steps = traceSteps(model, replayActions(model, actions), []);
  return {
    version,
    actions,
    steps: steps.map((t, i) => ({
      step: t.step, thread: t.thread, call: t.call, event: t.event, ...(t.page !== undefined ? { page: t.page } : {}),
      from: t.from, source: t.source, to: t.to, toSource: t.toSource,
      labels: path.steps[i]!.labels, at: path.steps[i]!.at, changes: t.changes,
    })),
  };
}

/** Position in the sequence -> [label, 1-based step] for one side. */
function positions(side: ScenarioSide, length: number): Map<number, [string, number]> {
  const out = new Map<number, [string, number]>();
  for (const s of side.steps)
    s.labels.forEach((l, k) => { if (s.at + k < length) out.set(s.at + k, [l, s.step]); });
  return out;
}

export function buildScenario(task: RunTask, a: string, b: string, o: RunDiffOutcome): Scenario {
  const d = o.difference!;
  const sa = scenarioSide(task, a, d.a);
  const sb = scenarioSide(task, b, d.b);
  const n = d.word.length;
  const pa = positions(sa, n);
  const pb = positions(sb, n);
  const rows: ScenarioRow[] = [];
  for (let k = 0; k < n; k++) {
    const ra = pa.get(k);
    const rb = pb.get(k);
    rows.push({
      index: k + 1,
      ...(ra ? { a: ra[0], aStep: ra[1] } : {}),
      ...(rb ? { b: rb[0], bStep: rb[1] } : {}),
      differs: ra?.[0] !== rb?.[0],
    });
  }
  return {
    runIndex: task.index,
    run: { platform: task.platform, device: task.device, deviceKey: deviceKey(task.device), programs: task.programs },
    severity: o.severity!, observable: o.observable!, length: n, word: d.word, onlyIn: d.onlyIn, otherCanDo: d.otherCanDo,
    rows, a: sa, b: sb,
  };
}

/** A group's scenario with its page names replaced by P0, P1, ... in order of appearance. */
function scenarioShape(a: string, g: DiffGroup): string {
  const s = g.scenario;
  const model = new RunModel(specOf({ index: 0, version: a, platform: s.run.platform, device: s.run.device, programs: s.run.programs }));
  const names = model.world.layout.pages.map((p) => p.name).sort((x, y) => y.length - x.length);
  const side = (x: ScenarioSide) => x.steps.map((st) => [st.thread, st.call, st.event, st.page ?? '', st.from, st.to, st.labels]);
  const text = JSON.stringify([g.severity, s.run.programs, s.word, s.onlyIn, s.otherCanDo, s.rows.map((r) => [r.a, r.b, r.differs]), side(s.a), side(s.b)]);
  if (!names.length) return text;
  const renamed = new Map<string, string>();
  const page = new RegExp(`(?<![A-Za-z0-9_.])(${names.map((n) => n.replace(/\./g, '\\.')).join('|')})(?![A-Za-z0-9_.])`, 'g');
  return text.replace(page, (n) => {
    if (!renamed.has(n)) renamed.set(n, `P${renamed.size}`);
    return renamed.get(n)!;
  });
}

/** Fold the groups of one platform whose scenarios have the same shape. */
export function foldGroups(a: string, groups: readonly DiffGroup[]): DiffFold[] {
  const folds = new Map<string, { platform: string; severity: 'effective' | 'latent'; groups: number[]; devices: string[] }>();
  groups.forEach((g, i) => {
    const key = `${g.platform}\u0000${scenarioShape(a, g)}`;
    let f = folds.get(key);
    if (!f) folds.set(key, (f = { platform: g.platform, severity: g.severity, groups: [], devices: [] }));
    f.groups.push(i);
    f.devices.push(g.device);
  });
  return [...folds.values()];
}

export async function diff(opts: DiffOptions): Promise<DiffResults> {
  const started = Date.now();
  const def = definitionOf(opts.observable);
  const selA: Selection = { ...opts.selection, versions: [opts.a] };
  const matrix = buildMatrix(selA);
  const outcomes: RunDiffOutcome[] = new Array(matrix.tasks.length);
  await runDiffAll(
    { selection: selA, versionB: opts.b, observable: def.id, ...(opts.maxPairs !== undefined ? { maxPairs: opts.maxPairs } : {}), ...treesOf([opts.a, opts.b]) },
    matrix.tasks.map((t) => t.index),
    {
      workers: opts.workers,
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      onBatch: (res, p) => {
        for (const o of res.outcomes) outcomes[o.index] = o;
        opts.onProgress?.(p);
      },
    },
  );
  const groups = new Map<string, { platform: string; device: string; runs: number; eff: RunDiffOutcome[]; lat: RunDiffOutcome[] }>();
  let equivalent = 0;
  let pairs = 0;
  let incomplete = 0;
  for (const t of matrix.tasks) {
    const o = outcomes[t.index]!;
    const key = `${t.platform}\u0000${deviceKey(t.device)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { platform: t.platform, device: deviceKey(t.device), runs: 0, eff: [], lat: [] }));
    g.runs++;
    pairs += o.pairs;
    if (o.equivalent) {
      equivalent++;
      if (!o.complete) incomplete++;
    } else (o.severity === 'latent' ? g.lat : g.eff).push(o);
  }
  const shortest = (list: RunDiffOutcome[]) =>
    list.reduce((best, o) => (o.difference!.word.length < best.difference!.word.length ? o : best));
  const out: DiffGroup[] = [];
  let eff = 0;
  let lat = 0;
  for (const g of groups.values()) {
    eff += g.eff.length;
    lat += g.lat.length;
    if (!g.eff.length && !g.lat.length) continue;
    const best = shortest(g.eff.length ? g.eff : g.lat);
    out.push({
      platform: g.platform, device: g.device, severity: g.eff.length ? 'effective' : 'latent', runs: g.runs,
      differing: { effective: g.eff.length, latent: g.lat.length },
      scenario: buildScenario(matrix.tasks[best.index]!, opts.a, opts.b, best),
    });
  }
  const different = eff + lat > 0;
  return {
    tool: 'dmacheck', format: DIFF_FORMAT, schemaVersion: DIFF_SCHEMA_VERSION, a: opts.a, b: opts.b,
    observable: { id: def.id, version: def.version, description: def.description, ...(def.visibleVariant ? { visibleVariant: def.visibleVariant } : {}) },
    verdict: different ? 'different' : 'equivalent',
    complete: incomplete === 0,
    ...(incomplete ? { incompleteReason: `${incomplete} run(s) hit the pair bound before a difference was found` } : {}),
    selection: { ...opts.selection, versions: [opts.a, opts.b] },
    totals: { runs: matrix.tasks.length, equivalent, different: { effective: eff, latent: lat }, pairs },
    groups: out,
    folds: foldGroups(opts.a, out),
    excluded: matrix.excluded,
    runs: matrix.tasks.map((t) => {
      const o = outcomes[t.index]!;
      return [t.index, o.pairs, o.equivalent ? 1 : 0, o.complete ? 1 : 0] as const;
    }),
    timing: { startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, workers: opts.workers },
  };
}
