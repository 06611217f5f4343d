/**
 * A counterexample for a mailing-list reply: plain ASCII, no colour, no
 * line longer than 72 columns, and no name cut across lines. It opens the
 * way the kernel's lockdep reports open: the scenario, one line per step
 * in the column of its CPU, the violated invariant in one sentence, the
 * configuration in one line and the replay command, which carries the
 * whole scenario as a string. `short` stops there; otherwise the details
 * follow: summary (with the invariant's rule), full configuration, the
 * steps with their kernel positions and world changes.
 */
import { scenarioTreeFlags } from '../extract/tree-registry.ts';
import { ascii, wrap } from './text.ts';
import { scenarioLines } from './scenario-string.ts';
import type { BriefRow, CellLine, Row, TraceReport } from './trace-report.ts';

export const MAIL_WIDTH = 72;
const LABEL = 10;

/** Continuation indent inside a cell, per kind of line. */
const HANG: Record<CellLine['kind'], number> = { call: 2, position: 2, event: 3, change: 2, violation: 4 };

export interface MailOptions {
  /** only the scenario, the invariant, the configuration line and the replay command */
  readonly short?: boolean;
  readonly width?: number;
}

function rowLabel(r: Row | BriefRow): string {
  return r.kind === 'step' ? String(r.step) : r.first === r.last ? String(r.first) : `${r.first}-${r.last}`;
}

export function foldText(thread: number): string {
  return `... (CPU${thread} runs unrelated steps)`;
}

/** The longest run of name characters in `texts`: a column must leave room for it. */
function longestName(texts: readonly string[]): number {
  return Math.max(0, ...texts.flatMap((t) => t.split(/[^A-Za-z0-9_.]+/).map((w) => w.length)));
}

/**
 * Columns one per CPU, lockdep style: a line holds one CPU's text only, so
 * every text runs on to the right edge and a column is where its CPU's
 * lines start; the columns are staggered enough to tell apart, and little
 * enough that the longest name still fits in the last one.
 */
interface Columns {
  readonly prefix: number;
  /** start of each column, by position in `r.columns` */
  readonly start: readonly number[];
}

/** Most columns between the starts of two CPUs' columns. */
const STAGGER = 24;

function columnsOf(r: TraceReport, labels: readonly string[], need: number, width: number): Columns {
  const T = r.columns.length;
  const prefix = Math.max(5, ...labels.map((l) => l.length + 2));
  const step = T === 1 ? 0 : Math.max(4, Math.min(STAGGER, Math.floor((width - prefix - need) / (T - 1))));
  return { prefix, start: r.columns.map((_, i) => prefix + i * step) };
}

function header(r: TraceReport, c: Columns): string[] {
  const line = (cells: string[]) => cells.reduce((acc, cell, i) => acc.padEnd(c.start[i]!) + cell, '').trimEnd();
  return [line(r.columns.map((t) => `CPU${t}`)), line(r.columns.map(() => '----'))];
}

/** One cell's lines placed in its column (plus `indent`), the first one labelled. */
function placed(label: string, c: Columns, at: number, lines: readonly string[], indent = 0): string[] {
  return lines.map((l, j) => ((j === 0 ? label : '').padStart(c.prefix - 2) + '  ' + ' '.repeat(c.start[at]! - c.prefix + indent) + l).trimEnd());
}

/** Steps inside an entry point sit under its call, this much to the right. */
const INNER = 2;

/** The scenario block: one line per step (wrapped only when a step's words do not fit). */
function scenarioBlock(r: TraceReport, width: number): string[] {
  const texts = r.scenario.map((row) => (row.kind === 'step' ? `${row.text}${row.violation ? ' ***' : ''}` : foldText(row.thread)));
  const c = columnsOf(r, r.scenario.map(rowLabel), longestName(texts) + INNER + 4, width);
  const out = header(r, c);
  r.scenario.forEach((row, i) => {
    const at = r.columns.indexOf(row.thread);
    const indent = row.kind === 'step' && row.inner ? INNER : 0;
    out.push(...placed(rowLabel(row), c, at, wrap(texts[i]!, width - c.start[at]! - indent, 4), indent));
  });
  return out;
}

/** What opens a counterexample: the scenario block, the invariant in one sentence and the configuration in one line. */
export function openingLines(r: TraceReport, width = MAIL_WIDTH): string[] {
  return [...scenarioBlock(r, width), '', ...wrap(r.sentence, width), '', ...wrap(`Configuration: ${r.configLine}`, width, 4)];
}

function table(r: TraceReport, width: number): string[] {
  const cells = r.rows.map((row) => (row.kind === 'step' ? row.lines : []));
  const c = columnsOf(r, r.rows.map(rowLabel), longestName(cells.flat().map((l) => l.text)) + 4, width);
  const out = header(r, c);
  r.rows.forEach((row, i) => {
    if (i > 0) out.push('');
    const at = r.columns.indexOf(row.thread);
    const edge = width - c.start[at]!;
    const lines = row.kind === 'fold' ? wrap(foldText(row.thread), edge, 4)
      : row.lines.flatMap((l) => wrap(l.text, edge, HANG[l.kind]));
    out.push(...placed(rowLabel(row), c, at, lines));
  });
  return out;
}

/** The replay command with the scenario string inside single quotes, cut between names. */
export function replayCommand(r: TraceReport, width: number): string[] {
  const lines = scenarioLines(r.scenarioString, width - 5);
  // a version extracted from a tree needs the tree again; the flags come first, a line each
  const flags = scenarioTreeFlags(r.scenarioString).trim().split(/ (?=--)/).filter(Boolean);
  const head = flags.length ? ['  dmacheck replay \\', ...flags.map((f) => `    ${f} \\`), "    --scenario '"] : ["  dmacheck replay --scenario '"];
  return [...head, ...lines.map((l, i) => `    ${l}${i === lines.length - 1 ? "'" : ''}`)];
}

export function renderMail(r: TraceReport, opts: MailOptions = {}): string {
  const width = opts.width ?? MAIL_WIDTH;
  const para = (text: string, indent = 0) => wrap(text, width - indent).map((l) => ' '.repeat(indent) + l);
  const out: string[] = [];
  out.push(...wrap(r.title, width, 4), '');
  out.push(...openingLines(r, width), '');
  out.push('Replay (the string may be wrapped or quoted; no file needed):', ...replayCommand(r, width));
  if (!opts.short) {
    out.push('', ...para(r.replay.note, 2), '', 'Details', '', ...para(r.summary), '');
    out.push('Configuration');
    for (const [label, values] of r.config)
      values.forEach((v, i) =>
        wrap(v, width - LABEL - 3, 2).forEach((l, j) => out.push(`  ${(i === 0 && j === 0 ? label : '').padEnd(LABEL)} ${l}`.trimEnd())));
    out.push('', ...wrap(r.stepsHeading, width, 2), '');
    out.push(...table(r, width));
  }
  return ascii(out.map((l) => l.trimEnd()).join('\n')) + '\n';
}
