/**
 * The version x property verdict table as `verify`, `merge` and `nightly`
 * print it on the console: at most 100 columns, property ids abbreviated
 * with a legend, and what E and L mean. A cell counts the violating runs
 * (`12E`, `26L`, `12E/3L`) or is `.` when the property holds. When counts
 * make the one-line cells too wide, each version takes two lines (E, then
 * L); when even that does not fit, one line per (version, property).
 */
import type { Results } from '../check/results.ts';

export const CONSOLE_WIDTH = 100;
const GAP = 2;

const EXPLAIN = [
  'Cells: violating runs; E effective (the platform makes the violation observable),',
  'L latent (the code is wrong, but this platform cannot see it); . holds.',
];

/** Short ids: initials of the words after a leading `no-` (no-double-decrypt -> DD), made unique with a digit. */
export function abbreviations(ids: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const base = id.replace(/^no-/, '').split('-').map((w) => w.charAt(0).toUpperCase()).join('');
    let a = base;
    for (let n = 2; out.includes(a); n++) a = `${base}${n}`;
    out.push(a);
  }
  return out;
}

type Cell = { readonly e: number; readonly l: number } | undefined;

const oneLine = (c: Cell): string => (!c ? '.' : [c.e ? `${c.e}E` : '', c.l ? `${c.l}L` : ''].filter(Boolean).join('/'));

function grid(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + GAP))).join('').trimEnd());
}

const fits = (lines: readonly string[]): boolean => lines.every((l) => l.length <= CONSOLE_WIDTH);

/** The table and its legend, every line at most `CONSOLE_WIDTH` columns. */
export function consoleTable(res: Results): string {
  const props = res.selection.properties;
  const versions = res.selection.versions;
  const abbr = abbreviations(props);
  const cell = (v: string, p: string): Cell => {
    const r = res.results.find((x) => x.version === v && x.property === p);
    return r && r.verdict !== 'holds' ? { e: r.violatingRuns.effective, l: r.violatingRuns.latent } : undefined;
  };
  let table = grid([['version', ...abbr], ...versions.map((v) => [v, ...props.map((p) => oneLine(cell(v, p)))])]);
  if (!fits(table))
    table = grid([['version', ...abbr], ...versions.flatMap((v) => [
      [v, ...props.map((p) => { const c = cell(v, p); return !c ? '.' : c.e ? `${c.e}E` : ''; })],
      ['', ...props.map((p) => { const c = cell(v, p); return c?.l ? `${c.l}L` : ''; })],
    ].filter((row, i) => i === 0 || row.some((x, j) => j > 0 && x !== '')))]);
  if (!fits(table))
    table = grid([['version', 'property', 'violating runs'], ...versions.flatMap((v) => props.map((p) => [v, p, oneLine(cell(v, p))]))]);
  const legend = abbr.map((a, i) => `${a} ${props[i]}`);
  const legendLines: string[] = [];
  for (const item of legend) {
    const last = legendLines.length - 1;
    if (last >= 0 && legendLines[last]!.length + 2 + item.length <= CONSOLE_WIDTH) legendLines[last] += `, ${item}`;
    else legendLines.push(item);
  }
  return [...table, '', ...legendLines, ...EXPLAIN].join('\n');
}
