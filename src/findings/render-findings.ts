/**
 * The findings as Markdown: docs/findings/README.md (every violated
 * property with its platforms and device configurations, its shortest
 * counterexample in mail format, the baseline comparison and the replay
 * commands; then the diffs) and the short table of the README section.
 * Counterexamples and diff scenarios are laid out by the renderers of
 * `dmacheck trace --format mail` and `dmacheck diff`, so the findings read
 * like what those commands print.
 */
import { PLATFORM_IDS } from '../../models/platforms.ts';
import { ENVIRONMENT_STEPS } from '../../models/programs.ts';
import { ENTRY_POINTS, versionById } from '../../models/versions.ts';
import { PROPERTY_IDS } from '../../properties/index.ts';
import { DEFAULT_CALLS, DEFAULT_THREADS } from '../check/selection.ts';
import type { Trace } from '../check/trace.ts';
import { foldText } from '../equivalence/diff-report.ts';
import { treeFlags } from '../extract/tree-registry.ts';
import { DIFF_FORMAT, DIFF_SCHEMA_VERSION, type DiffResults } from '../equivalence/diff.ts';
import { renderMail } from '../trace/render-mail.ts';
import { traceReport } from '../trace/trace-report.ts';
import { compactPlatformDevices } from './compact-devices.ts';
import type { DiffSummary, FindingGroup, Findings, PropertyFinding } from './findings.ts';

/** The versions diffed against the examined one by default: the RFC's last patch and the reviewer's design. */
export const DEFAULT_DIFFS = ['v2-p4', 'jgg-flags'] as const;
export const DEFAULT_BASELINE = 'baseline';

/** GitHub's anchor of a heading: lower case, punctuation other than `-` and `_` dropped, spaces as `-`. */
export function anchorOf(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** A device term as a table cell: `|` is escaped, also inside code. */
const termCell = (terms: readonly string[]): string => terms.map((t) => `\`${t.replace(/\|/g, '\\|')}\``).join('<br>');

const runsText = (r: { effective: number; latent: number }): string => `${r.effective}E/${r.latent}L`;

/** The command that regenerates these findings (flags at their default are left out, the bound is always written). */
export function findingsCommand(f: Findings): string {
  const s = f.selection;
  const words = ['dmacheck', 'findings', '--versions', f.version, '--out', `${f.traceDir}/`];
  if (f.baseline !== DEFAULT_BASELINE) words.push('--baseline', f.baseline);
  const diffs = f.diffs.map((d) => d.a);
  if (diffs.join(',') !== DEFAULT_DIFFS.join(',')) words.push('--diff', diffs.length ? diffs.join(',') : 'none');
  const list = (flag: string, items: readonly string[], all: readonly string[]) => {
    if (items.length !== all.length) words.push(flag, items.join(','));
  };
  list('--platforms', s.platforms, PLATFORM_IDS);
  list('--properties', s.properties, PROPERTY_IDS);
  list('--entry-points', s.entryPoints, ENTRY_POINTS);
  const device = Object.entries(s.device).map(([k, v]) => `${k}=${v}`).join(',');
  if (device) words.push('--device', device);
  words.push('--threads', String(s.threads), '--calls', String(s.calls));
  return words.join(' ');
}

function boundText(f: Findings): string {
  const s = f.selection;
  const dflt = s.threads === DEFAULT_THREADS && s.calls === DEFAULT_CALLS ? ' (the default bound)' : '';
  return `${s.threads} thread(s) x ${s.calls} call(s) per thread${dflt}`;
}

type BaselineStatus = 'yes' | 'latent there' | 'no' | 'not modelled';

function baselineStatus(g: FindingGroup): BaselineStatus {
  if (g.baseline === null) return 'not modelled';
  if (g.baseline.includes(g.severity) || g.baseline.includes('effective')) return 'yes';
  return g.baseline.length ? 'latent there' : 'no';
}

/** "yes", "no", or "partly (k of n configurations)" for a property. */
export function baselineToo(p: PropertyFinding): string {
  const yes = p.groups.filter((g) => baselineStatus(g) === 'yes').length;
  if (yes === p.groups.length) return 'yes';
  if (yes === 0) return p.groups.some((g) => baselineStatus(g) === 'latent there') ? 'only latent' : 'no';
  return `partly (${yes} of ${p.groups.length} configurations)`;
}

function platformsOf(groups: readonly { platform: string }[]): string {
  return [...new Set(groups.map((g) => g.platform))].join(', ');
}

/** Rows of compact (platforms, device terms) for groups that share severity and baseline status. */
function groupRows(groups: readonly FindingGroup[]): string[] {
  const parts = new Map<string, FindingGroup[]>();
  for (const g of groups) {
    const key = `${g.severity}\u0000${baselineStatus(g)}`;
    parts.set(key, [...(parts.get(key) ?? []), g]);
  }
  const rows: string[] = [];
  for (const [key, list] of parts) {
    const [severity, status] = key.split('\u0000') as [string, BaselineStatus];
    for (const line of compactPlatformDevices(list)) {
      const mine = list.filter((g) => line.platforms.includes(g.platform));
      const runs = mine.reduce((n, g) => n + g.runs, 0);
      const depth = Math.min(...mine.map((g) => g.depth));
      rows.push(`| ${line.platforms.join(', ')} | ${termCell(line.terms)} | ${severity} | ${runs} | ${depth} | ${status} |`);
    }
  }
  return rows;
}

function propertySection(f: Findings, p: PropertyFinding, traceOf: (file: string) => Trace): string[] {
  const path = `${f.traceDir}/${p.shortest.traceFile}`;
  const trace = traceOf(p.shortest.traceFile);
  const mail = renderMail(traceReport(trace, { kind: 'file', path }));
  const s = p.shortest;
  // a version read from a kernel tree replays only with its --tree flag
  const trees = treeFlags([f.version, f.baseline]);
  return [
    `## ${p.property}`, '',
    `Rule: ${p.rule}.`, '',
    `Violated in ${p.violatingRuns.effective + p.violatingRuns.latent} runs of ${f.version} (${p.violatingRuns.effective} effective, ${p.violatingRuns.latent} latent); ` +
      `${f.baseline} too: ${baselineToo(p)}.`, '',
    `| platforms | device configurations | severity | runs | shortest | ${f.baseline} too? |`,
    '|---|---|---|---|---|---|',
    ...groupRows(p.groups), '',
    `Shortest counterexample (${s.platform}, \`${s.device}\`, ${s.severity}, ${s.depth} steps), as \`dmacheck trace ${path}\` prints it:`, '',
    '```text', mail.trimEnd(), '```', '',
    `Replay: \`dmacheck replay ${trees}${path} --version ${f.version}\` (reproduced, exit 1). ` +
      `On ${f.baseline}: \`dmacheck replay ${trees}${path} --version ${f.baseline}\`: ${s.onBaseline}.`, '',
  ];
}

export const diffHeading = (d: { a: string; b: string }): string => `${d.b} against ${d.a}`;

/** One sentence: the verdict of a diff and its counts. */
export function diffVerdict(d: DiffSummary): string {
  const s = d.selection;
  const n = d.totals.different.effective + d.totals.different.latent;
  const what = d.verdict === 'equivalent'
    ? `equivalent on all ${d.totals.runs} runs`
    : `different in ${n} of ${d.totals.runs} runs (${runsText(d.totals.different)}), in ${d.groups.length} (platform, device) group(s) on ${platformsOf(d.groups)}`;
  const leftOut = ENVIRONMENT_STEPS.filter((e) => !s.entryPoints.includes(e));
  const scope = leftOut.length ? ` over the drivers' calls (\`--entry-points\` without ${leftOut.join(' and ')}: the pools' set-up is baseline's in ${d.a})` : '';
  return `\`dmacheck diff ${d.a} ${d.b}\`${scope} at ${s.threads} thread(s) x ${s.calls} call(s), observable \`${d.observable.id}\`: ${what}` +
    `${d.complete ? '' : ` (INCOMPLETE: ${d.incompleteReason})`}.`;
}

function diffSection(d: DiffSummary): string[] {
  // foldText reads the versions of a diff result; the groups shown are the summary's top ones, one fold each
  const asResults: DiffResults = {
    tool: 'dmacheck', format: DIFF_FORMAT, schemaVersion: DIFF_SCHEMA_VERSION, ...d, groups: d.top, excluded: [], runs: [],
    folds: d.top.map((g, i) => ({ platform: g.platform, severity: g.severity, groups: [i], devices: [g.device] })),
  };
  const out = [`## ${diffHeading(d)}`, '', `${d.a}: ${versionById(d.a)?.description ?? d.a}.`, '', diffVerdict(d), ''];
  if (d.groups.length) {
    out.push('| platforms | device configurations | severity | differing runs | shortest scenario |', '|---|---|---|---|---|');
    const parts = new Map<string, DiffSummary['groups'][number][]>();
    for (const g of d.groups) parts.set(g.severity, [...(parts.get(g.severity) ?? []), g]);
    for (const [severity, list] of parts)
      for (const line of compactPlatformDevices(list)) {
        const mine = list.filter((g) => line.platforms.includes(g.platform));
        const differing = mine.reduce((n, g) => ({ effective: n.effective + g.differing.effective, latent: n.latent + g.differing.latent }), { effective: 0, latent: 0 });
        const runs = mine.reduce((n, g) => n + g.runs, 0);
        out.push(`| ${line.platforms.join(', ')} | ${termCell(line.terms)} | ${severity} | ${runsText(differing)} of ${runs} | ${Math.min(...mine.map((g) => g.shortest))} |`);
      }
    out.push('');
  }
  d.top.forEach((g, i) => {
    out.push(`Shortest scenario of ${g.platform} \`${g.device}\` (\`dmacheck diff ${d.a} ${d.b}\` prints every group):`, '');
    out.push('```text', foldText(asResults, asResults.folds![i]!), '```', '');
  });
  return out;
}

/** docs/findings/README.md. `traceOf` gives the trace of a trace file name. */
export function renderFindings(f: Findings, traceOf: (file: string) => Trace): string {
  const out = [
    `# What is still broken in ${f.version}`, '',
    `Generated by \`${findingsCommand(f)}\`: ${f.version} verified on ${f.totals.runs} runs, ` +
      `${f.baseline} on ${f.totals.baselineRuns} runs of the same selection, at ${boundText(f)}.`, '',
  ];
  if (!f.complete) out.push(`> **INCOMPLETE**: ${f.incompleteReason}. The findings cover only what finished.`, '');
  if (f.violated.length) {
    out.push(`${f.violated.length} of ${f.selection.properties.length} properties are violated on ${f.version}. ` +
      'Runs: E effective (observable on the platform), L latent. Each counterexample is a trace file next to this one.', '');
    out.push(`| property | platforms | runs | ${f.baseline} too? | shortest |`, '|---|---|---|---|---|');
    for (const p of f.violated)
      out.push(`| [${p.property}](#${anchorOf(p.property)}) | ${platformsOf(p.groups)} | ${runsText(p.violatingRuns)} | ${baselineToo(p)} | ${p.shortest.depth} steps |`);
    out.push('');
  } else out.push(`Every selected property holds on ${f.version}.`, '');
  if (f.holds.length) out.push(`Holding on ${f.version} at this bound: ${f.holds.map((h) => `\`${h}\``).join(', ')}.`, '');
  if (f.diffs.length)
    out.push(`Then how ${f.version} differs from ${f.diffs.map((d) => `[${d.a}](#${anchorOf(diffHeading(d))})`).join(' and ')}.`, '');
  for (const p of f.violated) out.push(...propertySection(f, p, traceOf));
  for (const d of f.diffs) out.push(...diffSection(d));
  return out.join('\n').trimEnd() + '\n';
}

/** The short README section: the property table and one line per diff, linking to `doc` for the details. */
export function readmeSection(f: Findings, doc: string): string {
  const out = [
    `Generated by \`npm run findings\` (\`${findingsCommand(f)}\`) at ${boundText(f)}; ` +
      `the counterexamples, with replay commands, are in [${doc}](${doc}).`, '',
  ];
  if (!f.complete) out.push(`**INCOMPLETE**: ${f.incompleteReason}.`, '');
  if (f.violated.length) {
    out.push(`| property | platforms | runs | ${f.baseline} too? | details |`, '|---|---|---|---|---|');
    for (const p of f.violated)
      out.push(`| \`${p.property}\` | ${platformsOf(p.groups)} | ${runsText(p.violatingRuns)} | ${baselineToo(p)} | [${p.shortest.depth}-step trace](${doc}#${anchorOf(p.property)}) |`);
    out.push('');
  } else out.push(`Every selected property holds on ${f.version}.`, '');
  for (const d of f.diffs) {
    out.push(`- ${diffVerdict(d).replace(/\.$/, '')}; [details](${doc}#${anchorOf(diffHeading(d))}).`);
  }
  return out.join('\n').trimEnd() + '\n';
}
