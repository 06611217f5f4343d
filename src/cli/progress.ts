/**
 * Progress on long runs: a redrawn line on a terminal, a plain line every
 * few seconds on CI (non-TTY), nothing with --quiet.
 */
import type { Io } from './command.ts';

export interface Progress {
  update(p: { done: number; total: number; states: number }): void;
  finish(): void;
}

/** Seconds as `42s`, `3m07s` or `2h05m`. */
export function duration(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * An ETA extrapolates the pace since the first report (a resumed run starts
 * with runs already done, and the first runs pay for worker start-up): it is
 * shown once that pace was measured over ETA_AFTER_MS and at least
 * ETA_AFTER_FRACTION of the runs.
 */
export const ETA_AFTER_MS = 10_000;
export const ETA_AFTER_FRACTION = 0.01;

export function progress(io: Io, label: string, quiet: boolean, everyMs = 5000): Progress {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  let first: { at: number; done: number } | undefined;
  const line = (p: { done: number; total: number; states: number }) => {
    const now = Date.now();
    const secs = (now - start) / 1000;
    const rate = secs > 0 ? Math.round(p.states / secs) : 0;
    const paced = first ? p.done - first.done : 0;
    const measured = first !== undefined && paced > 0 && now - first.at >= ETA_AFTER_MS && paced >= ETA_AFTER_FRACTION * p.total;
    const eta = measured && p.done < p.total ? `, ETA ${duration(((now - first!.at) / 1000 / paced) * (p.total - p.done))}` : '';
    first ??= { at: now, done: p.done };
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    if (!io.isTTY) return `${label}: ${p.done}/${p.total} runs (${pct}%), ${p.states} states, ${rate} states/s${eta}`;
    const width = 24;
    const fill = Math.round((width * pct) / 100);
    return `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${p.done}/${p.total} runs ${rate} states/s${eta.replace(',', '')}`;
  };
  return {
    update(p) {
      if (quiet) return;
      const now = Date.now();
      if (io.isTTY) {
        if (now - last < 100 && p.done < p.total) return;
        process.stderr.write(`\r${line(p)}\x1b[K`);
        drawn = true;
      } else {
        if (now - last < everyMs && p.done < p.total) return;
        io.err(line(p));
      }
      last = now;
    },
    finish() {
      if (drawn) process.stderr.write('\n');
    },
  };
}
