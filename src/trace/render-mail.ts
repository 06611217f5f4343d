/**
 * A counterexample for a mailing-list reply: plain ASCII, no colour, no
 * line longer than 72 columns, laid out like the kernel's race reports
 * (lockdep's "CPU0 | CPU1" scenarios): title, summary, configuration, the
 * steps in a numbered table with one column per CPU, the violated
 * invariant, and the commands that replay it.
 */
import { ascii, commandLines, wrap } from './text.ts';
import type { CellLine, Row, TraceReport } from './trace-report.ts';

export const MAIL_WIDTH = 72;
const LABEL = 10;
const SEP = ' | ';

/** Continuation indent inside a cell, per kind of line. */
const HANG: Record<CellLine['kind'], number> = { call: 2, position: 2, event: 3, change: 2, violation: 4 };

function rowLabel(r: Row): string {
  return r.kind === 'step' ? String(r.step) : r.first === r.last ? String(r.first) : `${r.first}-${r.last}`;
}

export function foldText(thread: number): string {
  return `... (CPU${thread} runs unrelated steps)`;
}

function table(r: TraceReport, width: number): string[] {
  const cols = r.columns;
  const T = cols.length;
  const prefix = Math.max(5, ...r.rows.map((x) => rowLabel(x).length + 2));
  const colW = Math.floor((width - prefix - SEP.length * (T - 1)) / T);
  const colStart = (i: number) => prefix + i * (colW + SEP.length);
  const line = (label: string, cells: readonly string[]) =>
    (label.padStart(prefix - 2) + '  ' + cells.map((c, i) => (i < T - 1 ? c.padEnd(colW) : c)).join(SEP)).trimEnd();
  const blank = cols.map(() => '');
  const out: string[] = [
    line('', cols.map((t) => `CPU${t}`)),
    line('', cols.map(() => '-'.repeat(colW))),
  ];
  r.rows.forEach((row, i) => {
    if (i > 0) out.push(line('', blank));
    const at = cols.indexOf(row.thread);
    if (row.kind === 'fold') {
      const text = foldText(row.thread);
      const start = colStart(at) + text.length <= width ? colStart(at) : prefix;
      const label = rowLabel(row).padStart(prefix - 2) + '  ';
      out.push((label + ' '.repeat(start - prefix) + text).trimEnd());
      return;
    }
    const cell = row.lines.flatMap((l) => wrap(l.text, colW, HANG[l.kind]));
    cell.forEach((text, j) => out.push(line(j === 0 ? rowLabel(row) : '', cols.map((_, k) => (k === at ? text : '')))));
  });
  return out;
}

export function renderMail(r: TraceReport, width = MAIL_WIDTH): string {
  const out: string[] = [];
  out.push(...wrap(r.title, width, 4), '');
  out.push(...wrap(r.summary, width), '');
  out.push('Configuration');
  for (const [label, values] of r.config)
    values.forEach((v, i) =>
      wrap(v, width - LABEL - 3, 2).forEach((l, j) => out.push(`  ${(i === 0 && j === 0 ? label : '').padEnd(LABEL)} ${l}`.trimEnd())));
  out.push('', ...wrap(r.stepsHeading, width, 2), '');
  out.push(...table(r, width), '');
  out.push('Violated invariant');
  out.push(...wrap(r.invariant, width - 2).map((l) => `  ${l}`), '');
  out.push('Replay');
  for (const c of r.replay.commands) out.push(...commandLines(c, width, 2));
  out.push(...wrap(r.replay.note, width - 2).map((l) => `  ${l}`));
  return ascii(out.map((l) => l.trimEnd()).join('\n')) + '\n';
}
