/**
 * `dmacheck findings` as a function: verify one kernel version and a
 * baseline on the same selection, compare them per (property, platform,
 * device configuration), keep the shortest counterexample of each violated
 * property, and summarise `dmacheck diff` of the version against others.
 *
 * The result is plain JSON without timings, so that the same models and
 * selection always give the same findings (the committed docs are
 * regenerated and compared with it).
 */
import { deviceKey } from '../../models/devices.ts';
import { ENVIRONMENT_STEPS } from '../../models/programs.ts';
import { PROPERTIES } from '../../properties/index.ts';
import { buildMatrix } from '../check/matrix.ts';
import type { PropertyResult, Results } from '../check/results.ts';
import type { Selection } from '../check/selection.ts';
import type { Trace } from '../check/trace.ts';
import { verify, type VerifyOptions } from '../check/verify.ts';
import { diff, type DiffGroup, type DiffResults } from '../equivalence/diff.ts';
import { DEFAULT_OBSERVABLE } from '../equivalence/observable.ts';
import { replayTrace } from '../trace/replay.ts';

export const FINDINGS_FORMAT = 'dmacheck-findings';
export const FINDINGS_SCHEMA_VERSION = 1;

/** Diff groups whose scenario the findings show in full. */
export const TOP_DIFF_GROUPS = 2;

export type Severity = 'effective' | 'latent';

export interface FindingGroup {
  readonly platform: string;
  readonly device: string;
  readonly severity: Severity;
  readonly runs: number;
  /** length of the shortest counterexample of the group */
  readonly depth: number;
  /** the baseline's violations of the property on the same (platform, device); null when the baseline has no such runs */
  readonly baseline: readonly Severity[] | null;
}

export interface PropertyFinding {
  readonly property: string;
  readonly rule: string;
  readonly violatingRuns: { readonly effective: number; readonly latent: number };
  readonly groups: readonly FindingGroup[];
  /** the shortest counterexample (effective before latent; ties: lowest run index) */
  readonly shortest: {
    readonly platform: string;
    readonly device: string;
    readonly severity: Severity;
    readonly depth: number;
    /** trace file name, in the findings directory */
    readonly traceFile: string;
    /** `dmacheck replay` of the trace on the baseline */
    readonly onBaseline: string;
  };
}

export interface DiffSummary {
  readonly a: string;
  readonly b: string;
  readonly verdict: DiffResults['verdict'];
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly observable: DiffResults['observable'];
  readonly selection: Selection;
  readonly totals: DiffResults['totals'];
  readonly groups: readonly (Omit<DiffGroup, 'scenario'> & { readonly shortest: number })[];
  /** the groups shown in full: effective first, then the shortest scenario, then the most differing runs; distinct scenarios, on distinct platforms where there are several */
  readonly top: readonly DiffGroup[];
}

export interface Findings {
  readonly tool: 'dmacheck';
  readonly format: typeof FINDINGS_FORMAT;
  readonly schemaVersion: number;
  readonly version: string;
  readonly baseline: string;
  /** the selection of the version's runs (the baseline's is the same with its version) */
  readonly selection: Selection;
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly totals: { readonly runs: number; readonly baselineRuns: number };
  /** the directory of the trace files as the replay commands name it */
  readonly traceDir: string;
  readonly violated: readonly PropertyFinding[];
  readonly holds: readonly string[];
  readonly diffs: readonly DiffSummary[];
}

export interface FindingsOptions {
  /** the kernel version examined */
  readonly version: string;
  /** the version its violations are compared with */
  readonly baseline: string;
  /** versions diffed against `version` (`dmacheck diff X version`) */
  readonly diffs: readonly string[];
  /** the runs: `versions` is ignored */
  readonly selection: Selection;
  readonly workers: number;
  readonly traceDir: string;
  readonly explore?: VerifyOptions['explore'];
  readonly onPhase?: (label: string) => void;
  readonly onProgress?: (p: { done: number; total: number; states: number }) => void;
  readonly shouldStop?: () => boolean;
}

export interface FindingsRun {
  readonly findings: Findings;
  /** trace file name -> trace */
  readonly traces: ReadonlyMap<string, Trace>;
  /** stopped by shouldStop before it finished: nothing should be written */
  readonly stopped: boolean;
}

export const traceFileOf = (property: string): string => `${property}.trace.json`;

function severitiesOf(r: PropertyResult | undefined, platform: string, device: string): Severity[] {
  return (r?.violations ?? []).filter((g) => g.platform === platform && g.device === device).map((g) => g.severity);
}

function propertyFinding(mine: PropertyResult, theirs: PropertyResult | undefined, baselinePairs: Set<string>, baseline: string) {
  const groups: FindingGroup[] = mine.violations.map((g) => ({
    platform: g.platform, device: g.device, severity: g.severity, runs: g.runs, depth: g.depth,
    baseline: baselinePairs.has(`${g.platform}\u0000${g.device}`) ? severitiesOf(theirs, g.platform, g.device) : null,
  }));
  const rank = (g: { severity: Severity; depth: number; runIndex: number }) => [g.severity === 'effective' ? 0 : 1, g.depth, g.runIndex];
  const best = [...mine.violations].sort((x, y) => {
    const [a, b] = [rank(x), rank(y)];
    return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  })[0]!;
  const traceFile = traceFileOf(mine.property);
  const replayed = replayTrace(best.trace, baseline);
  const onBaseline = replayed.verdict === 'diverged' ? `diverged at step ${replayed.step}`
    : replayed.verdict === 'not applicable' ? `not applicable (${replayed.reason})` : replayed.verdict;
  const finding: PropertyFinding = {
    property: mine.property, rule: PROPERTIES.find((p) => p.id === mine.property)!.rule, violatingRuns: { ...mine.violatingRuns }, groups,
    shortest: { platform: best.platform, device: best.device, severity: best.severity, depth: best.depth, traceFile, onBaseline },
  };
  return { finding, trace: best.trace };
}

function topGroups(groups: readonly DiffGroup[]): DiffGroup[] {
  const order = [...groups].sort((x, y) =>
    (x.severity === 'effective' ? 0 : 1) - (y.severity === 'effective' ? 0 : 1) ||
    x.scenario.length - y.scenario.length ||
    (y.differing.effective + y.differing.latent) - (x.differing.effective + x.differing.latent));
  const out: DiffGroup[] = [];
  // other platforms first, so that the scenarios shown are about different things; then other scenarios on the same platform
  for (const distinctPlatform of [true, false])
    for (const g of order) {
      if (out.length === TOP_DIFF_GROUPS) return out;
      if (out.some((o) => o.scenario.word.join('\n') === g.scenario.word.join('\n') || (distinctPlatform && o.platform === g.platform))) continue;
      out.push(g);
    }
  return out;
}

/** The parts of a diff result the findings show (the per-run records and most scenarios left out). */
export function summariseDiff(r: DiffResults): DiffSummary {
  return {
    a: r.a, b: r.b, verdict: r.verdict, complete: r.complete, ...(r.incompleteReason ? { incompleteReason: r.incompleteReason } : {}),
    observable: r.observable, selection: r.selection, totals: r.totals,
    groups: r.groups.map(({ scenario, ...g }) => ({ ...g, shortest: scenario.length })),
    top: topGroups(r.groups),
  };
}

function findingsOf(opts: FindingsOptions, res: Results, selection: Selection, diffs: DiffSummary[]) {
  const baselineSel: Selection = { ...selection, versions: [opts.baseline] };
  const baselinePairs = new Set(buildMatrix(baselineSel).tasks.map((t) => `${t.platform}\u0000${deviceKey(t.device)}`));
  const traces = new Map<string, Trace>();
  const violated: PropertyFinding[] = [];
  const holds: string[] = [];
  for (const property of selection.properties) {
    const mine = res.results.find((r) => r.version === opts.version && r.property === property)!;
    if (mine.verdict === 'holds') { holds.push(property); continue; }
    const theirs = res.results.find((r) => r.version === opts.baseline && r.property === property);
    const { finding, trace } = propertyFinding(mine, theirs, baselinePairs, opts.baseline);
    violated.push(finding);
    traces.set(finding.shortest.traceFile, trace);
  }
  const incomplete = [
    ...(res.complete ? [] : [`verify: ${res.incompleteReason}`]),
    ...diffs.filter((d) => !d.complete).map((d) => `diff ${d.a} ${d.b}: ${d.incompleteReason}`),
  ];
  const findings: Findings = {
    tool: 'dmacheck', format: FINDINGS_FORMAT, schemaVersion: FINDINGS_SCHEMA_VERSION,
    version: opts.version, baseline: opts.baseline, selection,
    complete: incomplete.length === 0, ...(incomplete.length ? { incompleteReason: incomplete.join('; ') } : {}),
    totals: { runs: buildMatrix(selection).tasks.length, baselineRuns: buildMatrix(baselineSel).tasks.length },
    traceDir: opts.traceDir, violated, holds, diffs,
  };
  return { findings, traces };
}

export async function findings(opts: FindingsOptions): Promise<FindingsRun> {
  const selection: Selection = { ...opts.selection, versions: [opts.version] };
  const versions = opts.baseline === opts.version ? [opts.version] : [opts.version, opts.baseline];
  opts.onPhase?.(`verify ${versions.join(',')}`);
  const res = await verify({
    selection: { ...selection, versions }, workers: opts.workers,
    ...(opts.explore ? { explore: opts.explore } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
  });
  const diffs: DiffSummary[] = [];
  for (const a of opts.diffs) {
    if (opts.shouldStop?.()) break;
    opts.onPhase?.(`diff ${a} ${opts.version}`);
    // the RFC and the reviewer's design change dma-direct only (their pools are set up as baseline's): the diffs compare
    // the drivers' calls, without the pools' set-up steps, whose differences the verdicts against baseline show
    const entryPoints = selection.entryPoints.filter((e) => !ENVIRONMENT_STEPS.includes(e));
    const r = await diff({
      a, b: opts.version, selection: { ...selection, versions: [a], entryPoints }, observable: DEFAULT_OBSERVABLE, workers: opts.workers,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    diffs.push(summariseDiff(r));
  }
  const stopped = opts.shouldStop?.() ?? false;
  return { ...findingsOf(opts, res, selection, diffs), stopped };
}
