/**
 * A counterexample as Markdown (an issue, a pull request, the HTML report):
 * the same content as the mail format, the scenario in a code block, the
 * detailed steps as a table whose cells hold several lines.
 */
import { scenarioTreeFlags } from '../extract/tree-registry.ts';
import { foldText, openingLines } from './render-mail.ts';
import type { CellLine, TraceReport } from './trace-report.ts';

/** Escape text for a Markdown paragraph or table cell. */
export function mdText(text: string): string {
  return text.replace(/[\\`*_[\]|<>#]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function cellLine(l: CellLine): string {
  switch (l.kind) {
    case 'call': return `**${mdText(l.text)}**`;
    case 'position': return `\`${l.text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
    case 'event': return `&rarr; **${mdText(l.text.replace(/^-> /, ''))}**`;
    case 'change': return mdText(l.text);
    case 'violation': return `**${mdText(l.text.replace(/^\*+ | \*+$/g, ''))}**`;
  }
}

export function renderMarkdown(r: TraceReport): string {
  const block = openingLines(r);
  const replay = `dmacheck replay ${scenarioTreeFlags(r.scenarioString)}--scenario ${r.scenarioString}`;
  const out: string[] = [`## ${mdText(r.title)}`, '', '```', ...block, '```', '', '```sh', replay, '```', '', mdText(r.replay.note), ''];
  out.push('### Details', '', mdText(r.summary), '', '### Configuration', '', '| | |', '|---|---|');
  for (const [label, values] of r.config) out.push(`| ${mdText(label)} | ${values.map(mdText).join('<br>')} |`);
  out.push('', `### ${mdText(r.stepsHeading)}`, '');
  out.push(`| # | ${r.columns.map((t) => `CPU${t}`).join(' | ')} |`, `|--:|${r.columns.map(() => '---|').join('')}`);
  for (const row of r.rows) {
    const label = row.kind === 'step' ? String(row.step) : row.first === row.last ? String(row.first) : `${row.first}-${row.last}`;
    const text = row.kind === 'step' ? row.lines.map(cellLine).join('<br>') : mdText(foldText(row.thread));
    out.push(`| ${label} | ${r.columns.map((t) => (t === row.thread ? text : '')).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}
