/**
 * Progress on long runs: a redrawn line on a terminal, a plain line every
 * few seconds on CI (non-TTY), nothing with --quiet.
 */
import type { Io } from './command.ts';

export interface Progress {
  update(p: { done: number; total: number; states: number }): void;
  finish(): void;
}

export function progress(io: Io, label: string, quiet: boolean, everyMs = 5000): Progress {
  const start = Date.now();
  let last = 0;
  let drawn = false;
  const line = (p: { done: number; total: number; states: number }) => {
    const secs = (Date.now() - start) / 1000;
    const rate = secs > 0 ? Math.round(p.states / secs) : 0;
    const eta = p.done > 0 ? Math.round((secs / p.done) * (p.total - p.done)) : 0;
    const pct = p.total ? Math.floor((100 * p.done) / p.total) : 100;
    if (!io.isTTY) return `${label}: ${p.done}/${p.total} runs (${pct}%), ${p.states} states, ${rate} states/s, ETA ${eta}s`;
    const width = 24;
    const fill = Math.round((width * pct) / 100);
    return `${label} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${p.done}/${p.total} runs ${rate} states/s ETA ${eta}s`;
  };
  return {
    update(p) {
      if (quiet) return;
      const now = Date.now();
      if (io.isTTY) {
        if (now - last < 100 && p.done < p.total) return;
        process.stderr.write(`\r${line(p)}`);
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
