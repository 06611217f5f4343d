/**
 * Renderings of a diff result: plain text for the terminal and a mailing
 * list (each group's shortest scenario side by side, the differing row
 * marked `>>`, then each side's steps with their kernel positions), and
 * Markdown for diff.md. diff.json is the canonical result.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiffGroup, DiffResults, Scenario, ScenarioSide, ScenarioStep } from './diff.ts';

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

function stepRef(st: ScenarioStep | undefined): string {
  if (!st) return '';
  return `[${st.step}] ${st.event}${st.page ? `(${st.page})` : ''} @${st.from}`;
}

function stepLine(st: ScenarioStep, marked: boolean): string {
  const labels = st.labels.length ? st.labels.join('; ') : '(internal)';
  return `  ${marked ? '>>' : '  '} ${String(st.step).padStart(2)}. CPU${st.thread} ${st.call} ${st.event}${st.page ? `(${st.page})` : ''}: ` +
    `${st.from} -> ${st.to}\n         ${st.source}\n         observed: ${labels}`;
}

/** The step of `side` that produced the differing row, if any. */
function markedStep(s: Scenario, side: 'a' | 'b'): number | undefined {
  const row = s.rows.find((r) => r.differs);
  return row ? (side === 'a' ? row.aStep : row.bStep) : undefined;
}

function sideSteps(name: string, side: ScenarioSide, marked: number | undefined): string[] {
  return [`  ${name} (${side.version}) steps:`, ...side.steps.map((st) => stepLine(st, st.step === marked))];
}

/** One group: heading, the rows side by side, then each side's steps. */
export function groupText(r: DiffResults, g: DiffGroup): string {
  const s = g.scenario;
  const out: string[] = [];
  out.push(`== ${g.platform}  ${g.device}: ${g.severity}, ${g.differing.effective + g.differing.latent} of ${g.runs} runs differ ` +
    `(${g.differing.effective} effective, ${g.differing.latent} latent)`);
  out.push(`   shortest scenario: ${s.length} observable step(s), run #${s.runIndex} ${programsText(s)}, ${s.severity}, written in ${s.observable}`);
  const aSteps = new Map(s.a.steps.map((x) => [x.step, x]));
  const bSteps = new Map(s.b.steps.map((x) => [x.step, x]));
  const left = s.rows.map((row) => row.a ?? '(nothing)');
  const width = Math.min(56, Math.max(r.a.length, ...left.map((x) => x.length)));
  out.push(`     #  ${r.a.padEnd(width)} | ${r.b}`);
  for (const row of s.rows) {
    const mark = row.differs ? '>>' : '  ';
    out.push(`  ${mark} ${String(row.index).padStart(2)}  ${(row.a ?? '(nothing)').padEnd(width)} | ${row.b ?? '(nothing)'}`);
    const ra = row.aStep !== undefined ? stepRef(aSteps.get(row.aStep)) : '';
    const rb = row.bStep !== undefined ? stepRef(bSteps.get(row.bStep)) : '';
    out.push(`         ${ra.padEnd(width)} | ${rb}`);
  }
  const diffRow = s.rows[s.rows.length - 1]!;
  const only = s.onlyIn === 'A' ? r.a : r.b;
  const other = s.onlyIn === 'A' ? r.b : r.a;
  out.push(`   first difference at #${diffRow.index}: only ${only} can do "${s.word[s.word.length - 1]}"; ` +
    `${other} can do ${s.otherCanDo.length ? s.otherCanDo.map((x) => `"${x}"`).join(', ') : 'nothing observable'} there`);
  out.push(...sideSteps('A', s.a, markedStep(s, 'a')), ...sideSteps('B', s.b, markedStep(s, 'b')));
  return out.join('\n');
}

/** The terminal text: headline, then each differing group. */
export function diffText(r: DiffResults): string {
  const out = [headline(r)];
  if (!r.complete) out.push(`INCOMPLETE: ${r.incompleteReason}`);
  for (const g of r.groups) out.push('', groupText(r, g));
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
