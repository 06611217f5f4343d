/**
 * Run-to-run comparison of two results (last night's and tonight's): which
 * violations are new, fixed or unchanged (a violation is identified by
 * version, property, platform, device and severity), which state counts
 * changed and by how much, and which reachability obligations are newly
 * unreached. Written as compare.json and compare.md next to the reports.
 *
 * The comparison is honest about what each night checked. A violation is
 * fixed only if tonight finished every run of its (version, platform,
 * device) with the same bound, and new only if last night did; one that
 * the other night did not finish, ran with another bound, or did not
 * select at all is listed apart with the reason. A version, platform or
 * property selected by one night only is "newly checked" or "no longer
 * checked", with its counts. State counts are compared over the runs both
 * nights finished, reachability only for a version tonight finished.
 *
 * Which runs a night finished is read from its run records, whose matrix
 * indices this build maps back to (version, platform, device, programs).
 * When it cannot (the result names a version, platform or entry point
 * this build does not have, or its matrix has another size), a complete
 * night still counts as having finished everything it selected, and an
 * incomplete one as having finished nothing.
 */
import { platformById } from '../../models/platforms.ts';
import { ENTRY_POINTS, versionById } from '../../models/versions.ts';
import { deviceKey } from '../../models/devices.ts';
import { buildMatrix, type RunTask } from '../check/matrix.ts';
import type { Results } from '../check/results.ts';
import type { ToolInfo } from '../check/tool-info.ts';
import type { VersionSource } from '../check/version-source.ts';
import { readResultsFile } from './schema.ts';

export interface ViolationKey {
  readonly version: string;
  readonly property: string;
  readonly platform: string;
  readonly device: string;
  readonly severity: 'effective' | 'latent';
}

export interface ComparedViolation extends ViolationKey {
  /** violating runs and shortest depth in the result it comes from (tonight's, or last night's for fixed ones) */
  readonly runs: number;
  readonly depth: number;
  readonly message: string;
}

/**
 * Why something was not compared:
 * `newly-checked` / `no-longer-checked`: the other night did not select its version, platform, property or device;
 * `unfinished`: the other night did not finish its runs (interrupted, or cut by the memory limit);
 * `different-runs`: the two nights ran other programs there (another bound, entry points or shard; for
 * reachability also other platforms or devices).
 */
export type NotComparedReason = 'newly-checked' | 'no-longer-checked' | 'unfinished' | 'different-runs';

export interface UncomparedViolation extends ComparedViolation {
  readonly reason: NotComparedReason;
}

export interface StateCountChange {
  readonly version: string;
  readonly platform: string;
  readonly before: number;
  readonly after: number;
  readonly delta: number;
  /** (after - before) / before, or null when before is 0 */
  readonly relative: number | null;
}

export interface NewlyUnreached {
  readonly version: string;
  readonly entryPoint: string;
  readonly id: string;
}

/** A version, platform or property that only one of the two nights selected, with what that night found. */
export interface ScopeChange {
  readonly kind: 'version' | 'platform' | 'property';
  readonly id: string;
  /** distinct states of its runs (summed over the other selected items); null for a property, which has no runs of its own */
  readonly states: number | null;
  /** violation groups (platform, device, severity) and violating runs */
  readonly violations: number;
  readonly violatingRuns: { readonly effective: number; readonly latent: number };
}

export interface Comparison {
  readonly format: 'dmacheck-compare';
  readonly formatVersion: 1;
  readonly previousComplete: boolean;
  readonly currentComplete: boolean;
  /** whether the two results cover the same selection (bound included) */
  readonly sameSelection: boolean;
  readonly newViolations: readonly ComparedViolation[];
  readonly fixedViolations: readonly ComparedViolation[];
  readonly unchangedViolations: readonly ComparedViolation[];
  /** previous violations that are not found tonight but were not compared, with the reason */
  readonly notCompared: readonly UncomparedViolation[];
  /** tonight's violations that last night did not have but that were not compared, with the reason */
  readonly notComparedTonight: readonly UncomparedViolation[];
  /** selected tonight only */
  readonly newlyChecked: readonly ScopeChange[];
  /** selected last night only */
  readonly noLongerChecked: readonly ScopeChange[];
  /** over the runs both nights finished */
  readonly stateCounts: readonly StateCountChange[];
  /** (version, platform) pairs both nights selected whose state counts were not compared */
  readonly stateCountsNotCompared: readonly { readonly version: string; readonly platform: string; readonly reason: NotComparedReason }[];
  readonly newlyUnreached: readonly NewlyUnreached[];
  /** versions both nights selected whose reachability was not compared */
  readonly reachabilityNotCompared: readonly { readonly version: string; readonly reason: NotComparedReason }[];
  /** the dmacheck of each night (null for a result written before it was recorded) */
  readonly dmacheck: { readonly previous: ToolInfo | null; readonly current: ToolInfo | null };
  /** versions both nights selected whose source record differs: the same id stands for other code */
  readonly redefinedVersions: readonly { readonly version: string; readonly previous: VersionSource; readonly current: VersionSource }[];
}

type CellStatus = 'unchecked' | 'finished' | 'unfinished';

/** A result, with what it finished mapped to runs when this build can. */
interface Night {
  readonly r: Results;
  /** the programs the night ran: same key, same runs for a (version, platform, device) */
  readonly runsKey: string;
  readonly mapped?: {
    /** `version\0platform\0device` -> runs of it the result covers, and how many finished */
    readonly cells: ReadonlyMap<string, { readonly scope: number; readonly finished: number }>;
    /** run (`version\0platform\0device\0programs`) -> states, for every finished run */
    readonly finished: ReadonlyMap<string, { readonly version: string; readonly platform: string; readonly states: number }>;
  };
}

const cellKey = (version: string, platform: string, device: string) => `${version}\u0000${platform}\u0000${device}`;

function night(r: Results): Night {
  const sel = r.selection;
  const runsKey = JSON.stringify([sel.threads, sel.calls, [...sel.entryPoints].sort(), r.shard ?? null]);
  if (sel.versions.some((v) => !versionById(v)) || sel.platforms.some((p) => !platformById(p)) || sel.entryPoints.some((e) => !(ENTRY_POINTS as readonly string[]).includes(e)))
    return { r, runsKey };
  const matrix = buildMatrix(sel);
  const inScope = matrix.tasks.filter((t) => !r.shard || t.index % r.shard.count === r.shard.index - 1);
  if (inScope.length !== r.totals.runs || r.runs.some((x) => x[0] >= matrix.tasks.length)) return { r, runsKey };
  const records = new Map(r.runs.map((x) => [x[0], x]));
  const cells = new Map<string, { scope: number; finished: number }>();
  const finished = new Map<string, { version: string; platform: string; states: number }>();
  // tasks share their program tuple: its text is made once per tuple, not once per run
  const tupleText = new Map<RunTask['programs'], string>();
  for (const t of inScope) {
    const key = cellKey(t.version, t.platform, deviceKey(t.device));
    const cell = cells.get(key) ?? { scope: 0, finished: 0 };
    cell.scope++;
    const rec = records.get(t.index);
    if (rec && rec[4] === 1) {
      cell.finished++;
      let programs = tupleText.get(t.programs);
      if (programs === undefined) tupleText.set(t.programs, (programs = JSON.stringify(t.programs)));
      finished.set(`${key}\u0000${programs}`, { version: t.version, platform: t.platform, states: rec[1] });
    }
    cells.set(key, cell);
  }
  return { r, runsKey, mapped: { cells, finished } };
}

/** Whether a device key (`coherent=1,pool=own,...`) passes a selection's device filter. */
function deviceSelected(device: string, filter: Results['selection']['device']): boolean {
  const knobs = Object.fromEntries(device.split(',').map((kv) => kv.split('=') as [string, string]));
  return Object.entries(filter).every(([k, v]) => knobs[k] === v || (k === 'mask' && knobs[k] === undefined));
}

function cellStatus(n: Night, version: string, platform: string, device: string, property?: string): CellStatus {
  const s = n.r.selection;
  if (!s.versions.includes(version) || !s.platforms.includes(platform) || (property !== undefined && !s.properties.includes(property))) return 'unchecked';
  if (n.mapped) {
    const c = n.mapped.cells.get(cellKey(version, platform, device));
    return !c ? 'unchecked' : c.finished === c.scope ? 'finished' : 'unfinished';
  }
  if (!deviceSelected(device, s.device)) return 'unchecked';
  return n.r.complete ? 'finished' : 'unfinished';
}

const keyOf = (v: ViolationKey) => [v.version, v.property, v.platform, v.device, v.severity].join('\u0000');

function violations(r: Results): Map<string, ComparedViolation> {
  const out = new Map<string, ComparedViolation>();
  for (const pr of r.results)
    for (const g of pr.violations) {
      const v: ComparedViolation = {
        version: pr.version, property: pr.property, platform: g.platform, device: g.device, severity: g.severity,
        runs: g.runs, depth: g.depth, message: g.trace.message,
      };
      out.set(keyOf(v), v);
    }
  return out;
}

/**
 * A violation found by one night only: whether the other night's silence means anything.
 * `otherIsTonight` words the unchecked case: a previous violation tonight did not check is no longer checked.
 */
function judge(v: ViolationKey, other: Night, sameRuns: boolean, otherIsTonight: boolean): NotComparedReason | 'compared' {
  const status = cellStatus(other, v.version, v.platform, v.device, v.property);
  if (status === 'unchecked') return otherIsTonight ? 'no-longer-checked' : 'newly-checked';
  if (!sameRuns) return 'different-runs';
  return status === 'finished' ? 'compared' : 'unfinished';
}

function scopeChanges(from: Results, other: Results): ScopeChange[] {
  const out: ScopeChange[] = [];
  const count = (kind: ScopeChange['kind'], id: string, groupIn: (version: string, property: string, platform: string) => boolean) => {
    let states: number | null = null;
    if (kind !== 'property') {
      states = 0;
      for (const [version, byPlatform] of Object.entries(from.stateCounts))
        for (const [platform, n] of Object.entries(byPlatform)) if (kind === 'version' ? version === id : platform === id) states += n;
    }
    const violatingRuns = { effective: 0, latent: 0 };
    let groups = 0;
    for (const pr of from.results)
      for (const g of pr.violations)
        if (groupIn(pr.version, pr.property, g.platform)) {
          groups++;
          violatingRuns[g.severity] += g.runs;
        }
    out.push({ kind, id, states, violations: groups, violatingRuns });
  };
  for (const id of from.selection.versions) if (!other.selection.versions.includes(id)) count('version', id, (v) => v === id);
  for (const id of from.selection.platforms) if (!other.selection.platforms.includes(id)) count('platform', id, (_v, _p, pl) => pl === id);
  for (const id of from.selection.properties) if (!other.selection.properties.includes(id)) count('property', id, (_v, p) => p === id);
  return out;
}

/** State counts per (version, platform) over the runs both nights finished. */
function compareStateCounts(a: Night, b: Night): Pick<Comparison, 'stateCounts' | 'stateCountsNotCompared'> {
  const stateCounts: StateCountChange[] = [];
  const stateCountsNotCompared: { version: string; platform: string; reason: NotComparedReason }[] = [];
  const both = (f: (s: Results['selection']) => readonly string[]) => f(a.r.selection).filter((x) => f(b.r.selection).includes(x));
  const sums = new Map<string, { before: number; after: number; runs: number }>();
  if (a.mapped && b.mapped)
    for (const [label, x] of b.mapped.finished) {
      const y = a.mapped.finished.get(label);
      if (!y) continue;
      const k = `${x.version}\u0000${x.platform}`;
      const s = sums.get(k) ?? { before: 0, after: 0, runs: 0 };
      s.before += y.states;
      s.after += x.states;
      s.runs++;
      sums.set(k, s);
    }
  const sameWholeRuns = a.runsKey === b.runsKey && JSON.stringify(a.r.selection.device) === JSON.stringify(b.r.selection.device);
  for (const version of both((s) => s.versions))
    for (const platform of both((s) => s.platforms)) {
      let before: number;
      let after: number;
      const s = sums.get(`${version}\u0000${platform}`);
      if (s) ({ before, after } = s);
      else if (!(a.mapped && b.mapped) && a.r.complete && b.r.complete && sameWholeRuns) {
        before = a.r.stateCounts[version]?.[platform] ?? 0;
        after = b.r.stateCounts[version]?.[platform] ?? 0;
      } else {
        const reason = a.runsKey !== b.runsKey ? 'different-runs' : 'unfinished';
        stateCountsNotCompared.push({ version, platform, reason });
        continue;
      }
      if (before !== after) stateCounts.push({ version, platform, before, after, delta: after - before, relative: before ? (after - before) / before : null });
    }
  return { stateCounts, stateCountsNotCompared };
}

/** Obligations tonight did not reach but last night did, for versions tonight finished on the same matrix. */
function compareReachability(a: Night, b: Night): Pick<Comparison, 'newlyUnreached' | 'reachabilityNotCompared'> {
  const newlyUnreached: NewlyUnreached[] = [];
  const reachabilityNotCompared: { version: string; reason: NotComparedReason }[] = [];
  const sameMatrix = a.runsKey === b.runsKey && ['platforms', 'device'].every((f) => JSON.stringify(a.r.selection[f as 'device']) === JSON.stringify(b.r.selection[f as 'device']));
  const finishedVersion = (n: Night, version: string) =>
    n.r.complete || (n.mapped !== undefined && [...n.mapped.cells].every(([k, c]) => !k.startsWith(`${version}\u0000`) || c.finished === c.scope));
  for (const version of b.r.selection.versions) {
    if (!a.r.selection.versions.includes(version)) continue;
    if (!sameMatrix || !finishedVersion(a, version) || !finishedVersion(b, version)) {
      reachabilityNotCompared.push({ version, reason: sameMatrix ? 'unfinished' : 'different-runs' });
      continue;
    }
    for (const r of b.r.reachability) {
      if (r.version !== version) continue;
      const prev = a.r.reachability.find((p) => p.version === r.version && p.entryPoint === r.entryPoint);
      if (!prev) continue;
      const was = new Set(prev.unreached);
      for (const id of r.unreached) if (!was.has(id)) newlyUnreached.push({ version: r.version, entryPoint: r.entryPoint, id });
    }
  }
  return { newlyUnreached, reachabilityNotCompared };
}

export function compareResults(previous: Results, current: Results): Comparison {
  const a = night(previous);
  const b = night(current);
  const sameRuns = a.runsKey === b.runsKey;
  const before = violations(previous);
  const after = violations(current);
  const newViolations: ComparedViolation[] = [];
  const fixedViolations: ComparedViolation[] = [];
  const unchangedViolations: ComparedViolation[] = [];
  const notCompared: UncomparedViolation[] = [];
  const notComparedTonight: UncomparedViolation[] = [];
  for (const [k, v] of after) {
    if (before.has(k)) { unchangedViolations.push(v); continue; }
    const j = judge(v, a, sameRuns, false);
    if (j === 'compared') newViolations.push(v);
    else notComparedTonight.push({ ...v, reason: j });
  }
  for (const [k, v] of before) {
    if (after.has(k)) continue;
    const j = judge(v, b, sameRuns, true);
    if (j === 'compared') fixedViolations.push(v);
    else notCompared.push({ ...v, reason: j });
  }
  return {
    format: 'dmacheck-compare',
    formatVersion: 1,
    previousComplete: previous.complete,
    currentComplete: current.complete,
    sameSelection: JSON.stringify(previous.selection) === JSON.stringify(current.selection),
    newViolations, fixedViolations, unchangedViolations, notCompared, notComparedTonight,
    newlyChecked: scopeChanges(current, previous),
    noLongerChecked: scopeChanges(previous, current),
    ...compareStateCounts(a, b),
    ...compareReachability(a, b),
    dmacheck: { previous: previous.dmacheck ?? null, current: current.dmacheck ?? null },
    redefinedVersions: current.selection.versions.flatMap((version) => {
      const was = previous.kernelVersions?.[version]?.source;
      const now = current.kernelVersions?.[version]?.source;
      return was && now && JSON.stringify(was) !== JSON.stringify(now) ? [{ version, previous: was, current: now }] : [];
    }),
  };
}

/** Compare the results.json of two report directories (throws ResultsFileError naming a bad file). */
export function compareDirs(previousDir: string, currentDir: string): Comparison {
  return compareResults(readResultsFile(previousDir), readResultsFile(currentDir));
}

/** Exit code of a nightly comparison: 1 when anything new is violated. */
export function comparisonExitCode(c: Comparison): 0 | 1 {
  return c.newViolations.length ? 1 : 0;
}

const row = (v: ComparedViolation) => `| ${v.version} | ${v.property} | ${v.platform} | \`${v.device}\` | ${v.severity} | ${v.runs} | ${v.depth} |`;
const HEAD = ['| version | property | platform | device | severity | runs | steps |', '|---|---|---|---|---|---|---|'];

const REASON_TEXT: Readonly<Record<NotComparedReason, string>> = {
  'newly-checked': 'newly checked',
  'no-longer-checked': 'no longer checked',
  unfinished: 'not finished',
  'different-runs': 'other runs (bound, entry points, shard, platforms or devices)',
};

export function compareMarkdown(c: Comparison, previousDir = 'previous'): string {
  const out: string[] = ['# dmacheck: changes since the previous run', ''];
  out.push(`Compared with \`${previousDir}\`.`, '');
  if (!c.currentComplete) out.push('> **INCOMPLETE**: tonight\'s run did not finish; it is compared only on the runs it finished (what it did not finish is listed under "Not compared").', '');
  if (!c.previousComplete) out.push('> The previous run was incomplete; it is compared only on the runs it finished.', '');
  if (!c.sameSelection) out.push('> The two runs cover different selections or bounds; only what both checked the same way is compared.', '');
  const tool = (t: ToolInfo | null) => (t ? `${t.version}${t.commit ? ` (${t.commit.slice(0, 12)})` : ''}` : 'unrecorded');
  if (JSON.stringify(c.dmacheck.previous) !== JSON.stringify(c.dmacheck.current))
    out.push(`> dmacheck changed between the two runs: ${tool(c.dmacheck.previous)} -> ${tool(c.dmacheck.current)}.`, '');
  for (const r of c.redefinedVersions)
    out.push(`> \`${r.version}\` stands for other code tonight: ${JSON.stringify(r.previous)} -> ${JSON.stringify(r.current)}.`, '');
  out.push(
    `**${c.newViolations.length} new**, ${c.fixedViolations.length} fixed, ${c.unchangedViolations.length} unchanged violation(s), ` +
      `${c.notCompared.length + c.notComparedTonight.length} not compared; ` +
      `${c.stateCounts.length} state count(s) changed; ${c.newlyUnreached.length} obligation(s) newly unreached.`,
    '',
  );
  const section = (title: string, list: readonly ComparedViolation[]) => {
    out.push(`## ${title}`, '');
    if (!list.length) out.push('None.', '');
    else out.push(...HEAD, ...list.map(row), '');
  };
  section('New violations', c.newViolations);
  section('Fixed violations', c.fixedViolations);
  section('Unchanged violations', c.unchangedViolations);
  const scope = (title: string, list: readonly ScopeChange[]) => {
    if (!list.length) return;
    out.push(`## ${title}`, '', '| kind | id | states | violations | violating runs (effective / latent) |', '|---|---|---|---|---|');
    for (const s of list) out.push(`| ${s.kind} | ${s.id} | ${s.states ?? '-'} | ${s.violations} | ${s.violatingRuns.effective} / ${s.violatingRuns.latent} |`);
    out.push('');
  };
  scope('Newly checked', c.newlyChecked);
  scope('No longer checked', c.noLongerChecked);
  const uncompared = [
    ...c.notComparedTonight.map((v) => ({ v, night: 'tonight' })),
    ...c.notCompared.map((v) => ({ v, night: 'previous' })),
  ];
  if (uncompared.length) {
    out.push('## Violations not compared', '', 'Found by one night only, where the other did not check the same runs.', '');
    out.push('| found | why | version | property | platform | device | severity | runs | steps |', '|---|---|---|---|---|---|---|---|---|');
    for (const { v, night: n } of uncompared) out.push(`| ${n} | ${REASON_TEXT[v.reason]} ${row(v)}`);
    out.push('');
  }
  out.push('## State counts that changed', '', 'Over the runs both nights finished.', '');
  if (!c.stateCounts.length) out.push('None.', '');
  else {
    out.push('| version | platform | before | after | change |', '|---|---|---|---|---|');
    for (const s of c.stateCounts) {
      const pct = s.relative === null ? 'new' : `${s.relative >= 0 ? '+' : ''}${(s.relative * 100).toFixed(1)}%`;
      out.push(`| ${s.version} | ${s.platform} | ${s.before} | ${s.after} | ${s.delta >= 0 ? '+' : ''}${s.delta} (${pct}) |`);
    }
    out.push('');
  }
  if (c.stateCountsNotCompared.length)
    out.push(`Not compared: ${c.stateCountsNotCompared.map((s) => `${s.version} ${s.platform} (${REASON_TEXT[s.reason]})`).join(', ')}.`, '');
  out.push('## Reachability obligations newly unreached', '');
  if (!c.newlyUnreached.length) out.push('None.', '');
  else for (const u of c.newlyUnreached) out.push(`- ${u.version} ${u.entryPoint}: \`${u.id}\``);
  if (c.reachabilityNotCompared.length)
    out.push('', `Not compared: ${c.reachabilityNotCompared.map((s) => `${s.version} (${REASON_TEXT[s.reason]})`).join(', ')}.`);
  return out.join('\n').replace(/\n*$/, '\n');
}
