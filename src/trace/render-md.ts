/**
 * A counterexample as Markdown (an issue, a pull request, the HTML report):
 * the same content as the mail format, with the steps as a table whose
 * cells hold several lines.
 */
import { foldText } from './render-mail.ts';
import { shellWord } from './text.ts';
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
  const out: string[] = [`## ${mdText(r.title)}`, '', mdText(r.summary), '', '### Configuration', '', '| | |', '|---|---|'];
  for (const [label, values] of r.config) out.push(`| ${mdText(label)} | ${values.map(mdText).join('<br>')} |`);
  out.push('', `### ${mdText(r.stepsHeading)}`, '');
  out.push(`| # | ${r.columns.map((t) => `CPU${t}`).join(' | ')} |`, `|--:|${r.columns.map(() => '---|').join('')}`);
  for (const row of r.rows) {
    const label = row.kind === 'step' ? String(row.step) : row.first === row.last ? String(row.first) : `${row.first}-${row.last}`;
    const text = row.kind === 'step' ? row.lines.map(cellLine).join('<br>') : mdText(foldText(row.thread));
    out.push(`| ${label} | ${r.columns.map((t) => (t === row.thread ? text : '')).join(' | ')} |`);
  }
  out.push('', '### Violated invariant', '', mdText(r.invariant), '', '### Replay', '', '```sh');
  for (const c of r.replay.commands) out.push(c.map((w) => (w.startsWith('> ') ? `> ${shellWord(w.slice(2))}` : shellWord(w))).join(' '));
  out.push('```', '', mdText(r.replay.note));
  return out.join('\n') + '\n';
}
