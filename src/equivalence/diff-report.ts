/**
 * Renderings of a diff result: plain text for the terminal and a mailing
 * list, at most 80 columns wide (groups with the same scenario folded into
 * one that lists their device configurations; the shortest scenario side
 * by side, each column wrapped inside its width, the differing row marked
 * `>>`; then the steps with their kernel positions, once when both sides
 * take the same steps), and Markdown for diff.md. diff.json is the
 * canonical result.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wrap } from '../trace/text.ts';
import type { DiffFold, DiffGroup, DiffResults, Scenario, ScenarioSide, ScenarioStep } from './diff.ts';

const programsText = (s: Scenario): string =>
  `[${s.run.programs.map((p) => p.map((c) => c.replace(/^dma_direct_/, '')).join(',')).join(' | ')}]`;

function headline(r: DiffResults): string {
  const s = r.selection;
  const bound = `${s.threads} thread(s), ${s.calls} call(s) per thread`;
  if (r.verdict === 'equivalent')
    return `${r.a} and ${r.b}: ${r.complete ? 'equivalent within the bound' : 'no difference found (INCOMPLETE)'} over ${r.totals.runs} runs ` +
      `(${bound}; observable: ${r.observable.id})`;
  const d = r.totals.different;
  return `${r.a} and ${r.b}: different in ${d.effective + d.latent} of ${r.totals.runs} runs (${d.effective} effective, ${d.latent} latent), ` +
    `${r.groups.length} (platform, device) group(s) (${bound}; observable: ${r.observable.id})`;
}

/** Width of the terminal text: every line fits. */
export const DIFF_WIDTH = 80;
/** `  >> 12  ` before the left column of the side-by-side rows. */
const ROW_PREFIX = 9;
const SEP = ' | ';

function stepRef(st: ScenarioStep | undefined): string {
  if (!st) return '';
  return `[${st.step}] ${st.event}${st.page ? `(${st.page})` : ''} @${st.from}`;
}

/** The step of `side` that produced the differing row, if any. */
function markedStep(s: Scenario, side: 'a' | 'b'): number | undefined {
  const row = s.rows.find((r) => r.differs);
  return row ? (side === 'a' ? row.aStep : row.bStep) : undefined;
}

/** `text` wrapped to the terminal width, continuation lines indented by `hang` more than `indent`. */
function para(text: string, indent: number, hang = 2): string[] {
  return wrap(text, DIFF_WIDTH - indent, hang).map((l) => ' '.repeat(indent) + l);
}

/** Text wrapped in a column, continuation lines indented unless a word (`set_memory_decrypted(pool0.slot0)`) needs the whole width. */
function column(text: string, width: number): string[] {
  const longest = Math.max(...text.split(/\s+/).map((w) => w.length));
  return wrap(text, width, longest > width - 2 ? 0 : 2);
}

/** Two columns side by side, each wrapped inside its width, the `|` at the same column on every line. */
function sideBySide(label: string, left: string, right: string, colW: number): string[] {
  const l = left ? column(left, colW) : [''];
  const r = right ? column(right, DIFF_WIDTH - ROW_PREFIX - colW - SEP.length) : [''];
  return Array.from({ length: Math.max(l.length, r.length) }, (_, i) =>
    `${(i === 0 ? label : '').padEnd(ROW_PREFIX)}${(l[i] ?? '').padEnd(colW)}${SEP}${r[i] ?? ''}`.trimEnd());
}

const sameStep = (x: ScenarioStep, y: ScenarioStep): boolean =>
  x.thread === y.thread && x.call === y.call && x.event === y.event && x.page === y.page && x.from === y.from && x.to === y.to && x.source === y.source;

function stepHead(st: ScenarioStep, marked: boolean): string[] {
  const lead = `  ${marked ? '>>' : '  '} ${String(st.step).padStart(2)}. `;
  const head = wrap(`CPU${st.thread} ${st.call} ${st.event}${st.page ? `(${st.page})` : ''}: ${st.from} -> ${st.to}`, DIFF_WIDTH - lead.length, 2);
  return [...head.map((l, i) => (i === 0 ? lead : ' '.repeat(lead.length)) + l), ...para(st.source, 9)];
}

const observed = (st: ScenarioStep): string => (st.labels.length ? st.labels.join('; ') : '(internal)');

/** Each side's steps; once, when both sides take the same steps and only what they show differs. */
function stepsText(r: DiffResults, s: Scenario): string[] {
  const ma = markedStep(s, 'a');
  const mb = markedStep(s, 'b');
  if (s.a.steps.length === s.b.steps.length && s.a.steps.every((x, i) => sameStep(x, s.b.steps[i]!))) {
    const out = [`  Steps (the same in ${r.a} and ${r.b}):`];
    s.a.steps.forEach((x, i) => {
      const y = s.b.steps[i]!;
      out.push(...stepHead(x, x.step === ma || y.step === mb));
      if (observed(x) === observed(y)) out.push(...para(`observed: ${observed(x)}`, 9));
      else out.push(...para(`observed in ${r.a}: ${observed(x)}`, 9), ...para(`observed in ${r.b}: ${observed(y)}`, 9));
    });
    return out;
  }
  const side = (name: string, x: ScenarioSide, marked: number | undefined) =>
    [`  ${name} (${x.version}) steps:`, ...x.steps.flatMap((st) => [...stepHead(st, st.step === marked), ...para(`observed: ${observed(st)}`, 9)])];
  return [...side('A', s.a, ma), ...side('B', s.b, mb)];
}

/** The knobs of folded device configurations: `coherent=1 pool=own|shared gfp=blocking|atomic nkm=0|1`, or undefined if they are not every combination of these values. */
function knobSummary(devices: readonly string[]): string | undefined {
  const parsed = devices.map((d) => d.split(',').map((kv) => kv.split('=') as [string, string]));
  const names = parsed[0]!.map(([k]) => k);
  const values = names.map((_, i) => [...new Set(parsed.map((p) => p[i]?.[1] ?? ''))]);
  const combos = values.reduce((n, v) => n * v.length, 1);
  if (combos !== new Set(devices).size || parsed.some((p) => p.length !== names.length)) return undefined;
  return names.map((k, i) => `${k}=${values[i]!.join('|')}`).join(' ');
}

/** One fold: heading (its configurations), the representative scenario's rows side by side, then its steps. */
export function foldText(r: DiffResults, f: DiffFold): string {
  const gs = f.groups.map((i) => r.groups[i]!);
  const g = gs[0]!;
  const s = g.scenario;
  const out: string[] = [];
  const counts = (x: DiffGroup) => `${x.differing.effective + x.differing.latent} of ${x.runs} runs differ (${x.differing.effective} effective, ${x.differing.latent} latent)`;
  const allSame = gs.every((x) => counts(x) === counts(g));
  if (gs.length === 1) out.push(...para(`== ${g.platform}  ${g.device}: ${g.severity}, ${counts(g)}`, 0, 3));
  else {
    const knobs = knobSummary(f.devices);
    out.push(...para(`== ${g.platform}  ${knobs ?? `${gs.length} device configurations`}: ${g.severity}, the same scenario in ` +
      `${gs.length} device configurations${allSame ? `, in each ${counts(g)}` : ''}`, 0, 3));
    if (!knobs || !allSame) for (const x of gs) out.push(...para(`${x.device}${allSame ? '' : `: ${counts(x)}`}`, 5, 2));
  }
  out.push(...para(`shortest scenario${gs.length > 1 ? ` (of ${g.device})` : ''}: ${s.length} observable step(s), run #${s.runIndex} ` +
    `${programsText(s)}, ${s.severity}, written in ${s.observable}`, 3));
  const aSteps = new Map(s.a.steps.map((x) => [x.step, x]));
  const bSteps = new Map(s.b.steps.map((x) => [x.step, x]));
  const colW = Math.floor((DIFF_WIDTH - ROW_PREFIX - SEP.length) / 2);
  out.push(...sideBySide('     #', r.a, r.b, colW));
  let lastA: number | undefined;
  let lastB: number | undefined;
  for (const row of s.rows) {
    out.push(...sideBySide(`  ${row.differs ? '>>' : '  '} ${String(row.index).padStart(2)}`, row.a ?? '(nothing)', row.b ?? '(nothing)', colW));
    // The step behind a label, when it is not the one of the row above.
    const ra = row.aStep !== undefined && row.aStep !== lastA ? stepRef(aSteps.get(row.aStep)) : '';
    const rb = row.bStep !== undefined && row.bStep !== lastB ? stepRef(bSteps.get(row.bStep)) : '';
    if (ra || rb) out.push(...sideBySide('', ra, rb, colW));
    lastA = row.aStep;
    lastB = row.bStep;
  }
  const diffRow = s.rows[s.rows.length - 1]!;
  const only = s.onlyIn === 'A' ? r.a : r.b;
  const other = s.onlyIn === 'A' ? r.b : r.a;
  out.push(...para(`first difference at #${diffRow.index}: only ${only} can do "${s.word[s.word.length - 1]}"; ` +
    `${other} can do ${s.otherCanDo.length ? s.otherCanDo.map((x) => `"${x}"`).join(', ') : 'nothing observable'} there`, 3));
  out.push(...stepsText(r, s));
  return out.join('\n');
}

/** foldText() of the differing fold whose scenario is shortest. */
export function shortestFoldText(r: DiffResults): string {
  const folds = foldsOf(r);
  const fold = [...folds].sort((x, y) => r.groups[x.groups[0]!]!.scenario.length - r.groups[y.groups[0]!]!.scenario.length)[0]!;
  return foldText(r, fold);
}

/** The folds of a result (results written before folds existed: one per group). */
function foldsOf(r: DiffResults): readonly DiffFold[] {
  return r.folds ?? r.groups.map((g, i) => ({ platform: g.platform, severity: g.severity, groups: [i], devices: [g.device] }));
}

/** The terminal text: headline, then each fold of differing groups; no line wider than DIFF_WIDTH. */
export function diffText(r: DiffResults): string {
  const folds = foldsOf(r);
  const out = [...para(headline(r) + (folds.length < r.groups.length ? `; ${folds.length} distinct scenario(s) below` : ''), 0)];
  if (!r.complete) out.push(...para(`INCOMPLETE: ${r.incompleteReason}`, 0));
  for (const f of folds) out.push('', foldText(r, f));
  return out.join('\n');
}

const md = (x: string): string => x.replace(/\|/g, '\\|');

export function diffMarkdown(r: DiffResults): string {
  const out: string[] = [`# dmacheck diff: ${r.a} vs ${r.b}`, '', headline(r), ''];
  out.push(`Observable behaviour: \`${r.observable.id}\` (v${r.observable.version}): ${r.observable.description}.`, '');
  if (!r.complete) out.push(`> **INCOMPLETE**: ${r.incompleteReason}.`, '');
  if (r.groups.length) {
    out.push('| platform | device | severity | differing runs | runs | shortest |', '|---|---|---|---|---|---|');
    for (const g of r.groups)
      out.push(`| ${g.platform} | \`${g.device}\` | ${g.severity} | ${g.differing.effective}E/${g.differing.latent}L | ${g.runs} | ${g.scenario.length} |`);
    out.push('');
  }
  for (const g of r.groups) {
    const s = g.scenario;
    out.push(`## ${g.platform} \`${g.device}\`: ${g.severity}`, '');
    out.push(`Run #${s.runIndex} ${programsText(s)}; ${s.length} observable steps (\`${s.observable}\`).`, '');
    out.push(`| # | ${r.a} | step | ${r.b} | step |`, '|---|---|---|---|---|');
    const aSteps = new Map(s.a.steps.map((x) => [x.step, x]));
    const bSteps = new Map(s.b.steps.map((x) => [x.step, x]));
    for (const row of s.rows) {
      const i = row.differs ? `**>> ${row.index}**` : String(row.index);
      out.push(`| ${i} | ${md(row.a ?? '(nothing)')} | ${md(stepRef(aSteps.get(row.aStep ?? -1)))} | ${md(row.b ?? '(nothing)')} | ${md(stepRef(bSteps.get(row.bStep ?? -1)))} |`);
    }
    out.push('');
    for (const [name, side] of [['A', s.a], ['B', s.b]] as const) {
      out.push(`${name} (${side.version}):`, '');
      for (const st of side.steps)
        out.push(`${st.step}. CPU${st.thread} \`${st.call}\` ${st.event}${st.page ? `(${st.page})` : ''} at \`${st.from}\` (${st.source}): ` +
          `${st.labels.length ? st.labels.map(md).join('; ') : '(internal)'}`);
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}

/** Write diff.json and diff.md atomically (temp file, then rename); returns the paths. */
export function writeDiffReports(dir: string, r: DiffResults): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [['diff.json', JSON.stringify(r, null, 1) + '\n'], ['diff.md', diffMarkdown(r)]];
  return files.map(([file, text]) => {
    const path = join(dir, file);
    writeFileSync(path + '.tmp', text);
    renameSync(path + '.tmp', path);
    return path;
  });
}
