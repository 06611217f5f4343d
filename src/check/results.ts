/**
 * The canonical result of a verification: plain JSON, deterministic for a
 * given selection whatever the number of workers or shards (timings live
 * apart, under `timing`).
 *
 * Results are built from a `Partial` (counts, the shortest violation per
 * group, run stats), and partials merge: that is how shards combine and how
 * an interrupted run resumes.
 */
import { deviceKey } from '../../models/devices.ts';
import { expectedUnreachable, obligations } from '../../models/coverage.ts';
import { versionById, type EntryPoint } from '../../models/versions.ts';
import type { Matrix } from './matrix.ts';
import type { RunOutcome } from './run-task.ts';
import type { Selection } from './selection.ts';
import { toolInfo, type ToolInfo } from './tool-info.ts';
import { buildTrace, type Trace } from './trace.ts';
import { versionSource, type VersionSource } from './version-source.ts';

export const RESULTS_SCHEMA_VERSION = 1;

export interface ViolationGroup {
  readonly platform: string;
  readonly device: string;
  readonly severity: 'effective' | 'latent';
  /** runs of this (platform, device) that violate the property with this severity */
  readonly runs: number;
  /** length of the shortest counterexample */
  readonly depth: number;
  /** matrix index of the run the trace comes from */
  readonly runIndex: number;
  readonly trace: Trace;
}

export interface PropertyResult {
  readonly version: string;
  readonly property: string;
  readonly verdict: 'holds' | 'violated';
  readonly violatingRuns: { readonly effective: number; readonly latent: number };
  readonly violations: readonly ViolationGroup[];
}

export interface Reachability {
  readonly version: string;
  readonly entryPoint: string;
  readonly obligations: number;
  readonly reached: number;
  /** never reached, and not known to be unreachable: a model bug or a bound too small */
  readonly unreached: readonly string[];
  /** never reached, known to be unreachable in the modelled matrix, with the reason */
  readonly expectedUnreached: readonly { readonly id: string; readonly reason: string }[];
  /** known to be unreachable but reached: the model or the list is wrong */
  readonly unexpectedlyReached: readonly string[];
}

/** Compact per-run record: [matrix index, states, transitions, max depth, complete 1/0]. */
export type RunRecord = readonly [number, number, number, number, number];

export interface Results {
  readonly tool: 'dmacheck';
  readonly schemaVersion: number;
  /** false when the run was interrupted or a bound was hit: every report says so */
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly selection: Selection;
  /** shard i/n this result covers; absent for the whole matrix */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly totals: { readonly runs: number; readonly runsDone: number; readonly states: number; readonly transitions: number };
  /** present in hash-compact mode: upper bound (union bound over runs) on the probability that some state was missed */
  readonly hashCompact?: { readonly omissionProbability: number };
  readonly excluded: Matrix['excluded'];
  readonly results: readonly PropertyResult[];
  readonly reachability: readonly Reachability[];
  /** distinct states per version and platform, summed over runs (run-to-run comparison) */
  readonly stateCounts: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly runs: readonly RunRecord[];
  /** coverage ids reached: version -> entry point -> ids */
  readonly coverage: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly timing?: { readonly startedAt: string; readonly seconds: number; readonly workers: number };
  /** the dmacheck that produced the result (absent in results written before it was recorded) */
  readonly dmacheck?: ToolInfo;
  /** what each selected kernel version is (absent in results written before it was recorded) */
  readonly kernelVersions?: Readonly<Record<string, { readonly source: VersionSource }>>;
}

/** The mergeable core of a result. */
export interface Partial {
  /** `version\0property` -> violating runs */
  readonly counts: Map<string, { effective: number; latent: number }>;
  /** `version\0property\0platform\0device\0severity` -> shortest violation */
  readonly groups: Map<string, { runIndex: number; depth: number; actions: readonly number[]; runs: number }>;
  readonly runs: RunRecord[];
  readonly coverage: Record<string, Record<string, string[]>>;
  /** hash-compact runs: summed omission probability, or undefined in exact mode */
  omission?: number;
}

export function emptyPartial(): Partial {
  return { counts: new Map(), groups: new Map(), runs: [], coverage: {} };
}

export function addCoverage(into: Record<string, Record<string, string[]>>, more: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>): void {
  for (const [v, eps] of Object.entries(more))
    for (const [ep, ids] of Object.entries(eps)) {
      const cur = ((into[v] ??= {})[ep] ??= []);
      const have = new Set(cur);
      for (const id of ids) if (!have.has(id)) { cur.push(id); have.add(id); }
    }
}

function addGroup(p: Partial, key: string, g: { runIndex: number; depth: number; actions: readonly number[]; runs: number }): void {
  const cur = p.groups.get(key);
  if (!cur) { p.groups.set(key, { ...g }); return; }
  cur.runs += g.runs;
  if (g.depth < cur.depth || (g.depth === cur.depth && g.runIndex < cur.runIndex)) Object.assign(cur, { runIndex: g.runIndex, depth: g.depth, actions: g.actions });
}

/** Fold run outcomes into a partial. */
export function addOutcomes(p: Partial, matrix: Matrix, outcomes: readonly RunOutcome[]): void {
  for (const o of outcomes) {
    const task = matrix.tasks[o.index]!;
    p.runs.push([o.index, o.states, o.transitions, o.maxDepth, o.complete ? 1 : 0]);
    if (o.omissionProbability !== undefined) p.omission = (p.omission ?? 0) + o.omissionProbability;
    for (const v of o.violations) {
      const ck = `${task.version}\u0000${v.property}`;
      const c = p.counts.get(ck) ?? { effective: 0, latent: 0 };
      c[v.severity]++;
      p.counts.set(ck, c);
      addGroup(p, `${ck}\u0000${task.platform}\u0000${deviceKey(task.device)}\u0000${v.severity}`, { runIndex: o.index, depth: v.depth, actions: v.actions, runs: 1 });
    }
  }
}

/** Fold a finished result (a shard, or an interrupted run) back into a partial. */
export function addResults(p: Partial, r: Results): void {
  p.runs.push(...r.runs);
  addCoverage(p.coverage, r.coverage);
  if (r.hashCompact) p.omission = (p.omission ?? 0) + r.hashCompact.omissionProbability;
  for (const pr of r.results) {
    const ck = `${pr.version}\u0000${pr.property}`;
    const c = p.counts.get(ck) ?? { effective: 0, latent: 0 };
    c.effective += pr.violatingRuns.effective;
    c.latent += pr.violatingRuns.latent;
    p.counts.set(ck, c);
    for (const g of pr.violations)
      addGroup(p, `${ck}\u0000${g.platform}\u0000${g.device}\u0000${g.severity}`, { runIndex: g.runIndex, depth: g.depth, actions: g.trace.actions, runs: g.runs });
  }
}

export interface FinishInfo {
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly shard?: { index: number; count: number };
  /** runs the result is meant to cover (the shard's share, or the matrix) */
  readonly taskCount: number;
}

/** Turn a partial into results (traces are rebuilt from the shortest actions). */
export function finish(selection: Selection, matrix: Matrix, p: Partial, info: FinishInfo): Results {
  const runs = [...new Map(p.runs.map((r) => [r[0], r])).values()].sort((a, b) => a[0] - b[0]);
  const stateCounts: Record<string, Record<string, number>> = {};
  let states = 0;
  let transitions = 0;
  for (const r of runs) {
    const task = matrix.tasks[r[0]]!;
    states += r[1];
    transitions += r[2];
    const sc = (stateCounts[task.version] ??= {});
    sc[task.platform] = (sc[task.platform] ?? 0) + r[1];
  }
  const results: PropertyResult[] = [];
  for (const version of selection.versions)
    for (const property of selection.properties) {
      const violations: ViolationGroup[] = [];
      for (const [k, g] of p.groups) {
        const [gv, gp, platform, device, severity] = k.split('\u0000') as [string, string, string, string, 'effective' | 'latent'];
        if (gv !== version || gp !== property) continue;
        violations.push({
          platform, device, severity, runs: g.runs, depth: g.depth, runIndex: g.runIndex,
          trace: buildTrace(matrix.tasks[g.runIndex]!, property, severity, g.actions),
        });
      }
      violations.sort((a, b) => a.runIndex - b.runIndex || a.severity.localeCompare(b.severity));
      const c = p.counts.get(`${version}\u0000${property}`) ?? { effective: 0, latent: 0 };
      results.push({ version, property, verdict: violations.length ? 'violated' : 'holds', violatingRuns: { ...c }, violations });
    }
  const reachability: Reachability[] = [];
  const coverage: Record<string, Record<string, string[]>> = {};
  for (const version of selection.versions) {
    const v = versionById(version)!;
    for (const ep of selection.entryPoints) {
      const all = obligations(v.machines[ep as EntryPoint]);
      const got = new Set(p.coverage[version]?.[ep] ?? []);
      const reached = all.filter((id) => got.has(id));
      (coverage[version] ??= {})[ep] = reached;
      const missing = all.filter((id) => !got.has(id));
      reachability.push({
        version, entryPoint: ep, obligations: all.length, reached: reached.length,
        unreached: missing.filter((id) => !expectedUnreachable(version, ep, id)),
        expectedUnreached: missing.flatMap((id) => {
          const e = expectedUnreachable(version, ep, id);
          return e ? [{ id, reason: e.reason }] : [];
        }),
        unexpectedlyReached: reached.filter((id) => expectedUnreachable(version, ep, id)),
      });
    }
  }
  return {
    tool: 'dmacheck',
    schemaVersion: RESULTS_SCHEMA_VERSION,
    dmacheck: toolInfo(),
    complete: info.complete,
    ...(info.incompleteReason ? { incompleteReason: info.incompleteReason } : {}),
    selection,
    kernelVersions: Object.fromEntries(selection.versions.map((v) => [v, { source: versionSource(v)! }])),
    ...(info.shard ? { shard: info.shard } : {}),
    totals: { runs: info.taskCount, runsDone: runs.length, states, transitions },
    ...(p.omission !== undefined ? { hashCompact: { omissionProbability: Math.min(1, p.omission) } } : {}),
    excluded: matrix.excluded,
    results,
    reachability,
    stateCounts,
    runs,
    coverage,
  };
}

/** Exit code for CI: 0 every selected property holds, 1 some property is violated. */
export function exitCodeOf(r: Results): 0 | 1 {
  return r.results.some((p) => p.verdict === 'violated') ? 1 : 0;
}
