/**
 * Run-to-run comparison of two results (last night's and tonight's): which
 * violations are new, fixed or unchanged (a violation is identified by
 * version, property, platform, device and severity), which state counts
 * changed and by how much, and which reachability obligations are newly
 * unreached. Written as compare.json and compare.md next to the reports.
 */
import type { Results } from '../check/results.ts';
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
  /** previous violations of a version, property or platform tonight's selection does not cover */
  readonly notCompared: readonly ComparedViolation[];
  readonly stateCounts: readonly StateCountChange[];
  readonly newlyUnreached: readonly NewlyUnreached[];
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

export function compareResults(previous: Results, current: Results): Comparison {
  const before = violations(previous);
  const after = violations(current);
  const sel = current.selection;
  const covered = (v: ViolationKey) => sel.versions.includes(v.version) && sel.properties.includes(v.property) && sel.platforms.includes(v.platform);
  const newViolations = [...after].filter(([k]) => !before.has(k)).map(([, v]) => v);
  const unchangedViolations = [...after].filter(([k]) => before.has(k)).map(([, v]) => v);
  const gone = [...before].filter(([k]) => !after.has(k)).map(([, v]) => v);
  const fixedViolations = gone.filter(covered);
  const notCompared = gone.filter((v) => !covered(v));

  const stateCounts: StateCountChange[] = [];
  const versions = [...new Set([...Object.keys(previous.stateCounts), ...Object.keys(current.stateCounts)])].sort();
  for (const version of versions) {
    const a = previous.stateCounts[version] ?? {};
    const b = current.stateCounts[version] ?? {};
    for (const platform of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const x = a[platform] ?? 0;
      const y = b[platform] ?? 0;
      if (x !== y) stateCounts.push({ version, platform, before: x, after: y, delta: y - x, relative: x ? (y - x) / x : null });
    }
  }

  const newlyUnreached: NewlyUnreached[] = [];
  for (const r of current.reachability) {
    const prev = previous.reachability.find((p) => p.version === r.version && p.entryPoint === r.entryPoint);
    if (!prev) continue;
    const was = new Set(prev.unreached);
    for (const id of r.unreached) if (!was.has(id)) newlyUnreached.push({ version: r.version, entryPoint: r.entryPoint, id });
  }

  return {
    format: 'dmacheck-compare',
    formatVersion: 1,
    previousComplete: previous.complete,
    currentComplete: current.complete,
    sameSelection: JSON.stringify(previous.selection) === JSON.stringify(current.selection),
    newViolations, fixedViolations, unchangedViolations, notCompared, stateCounts, newlyUnreached,
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

export function compareMarkdown(c: Comparison, previousDir = 'previous'): string {
  const out: string[] = ['# dmacheck: changes since the previous run', ''];
  out.push(`Compared with \`${previousDir}\`.`, '');
  if (!c.currentComplete) out.push('> **INCOMPLETE**: tonight\'s run did not finish; violations of runs that did not finish may show as fixed.', '');
  if (!c.previousComplete) out.push('> The previous run was incomplete; violations it did not reach may show as new.', '');
  if (!c.sameSelection) out.push('> The two runs cover different selections or bounds.', '');
  out.push(
    `**${c.newViolations.length} new**, ${c.fixedViolations.length} fixed, ${c.unchangedViolations.length} unchanged violation(s); ` +
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
  if (c.notCompared.length) section('Previous violations outside tonight\'s selection', c.notCompared);
  out.push('## State counts that changed', '');
  if (!c.stateCounts.length) out.push('None.', '');
  else {
    out.push('| version | platform | before | after | change |', '|---|---|---|---|---|');
    for (const s of c.stateCounts) {
      const pct = s.relative === null ? 'new' : `${s.relative >= 0 ? '+' : ''}${(s.relative * 100).toFixed(1)}%`;
      out.push(`| ${s.version} | ${s.platform} | ${s.before} | ${s.after} | ${s.delta >= 0 ? '+' : ''}${s.delta} (${pct}) |`);
    }
    out.push('');
  }
  out.push('## Reachability obligations newly unreached', '');
  if (!c.newlyUnreached.length) out.push('None.', '');
  else for (const u of c.newlyUnreached) out.push(`- ${u.version} ${u.entryPoint}: \`${u.id}\``);
  return out.join('\n').replace(/\n*$/, '\n');
}
