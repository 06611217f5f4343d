import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../src/cli/command.ts';
import { duration, ETA_AFTER_MS, progress } from '../../src/cli/progress.ts';

describe('progress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prints no ETA until the pace was measured, then extrapolates it', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const lines: string[] = [];
    const io: Io = { out: () => {}, err: (t) => lines.push(t), isTTY: false };
    const bar = progress(io, 'verify', false, 0);
    // the first batch lands after a slow start (workers loading): no ETA from it
    vi.setSystemTime(4000);
    bar.update({ done: 16, total: 10_000, states: 1000 });
    vi.setSystemTime(6000);
    bar.update({ done: 200, total: 10_000, states: 2000 });
    vi.setSystemTime(4000 + ETA_AFTER_MS);
    bar.update({ done: 1016, total: 10_000, states: 9000 });
    vi.setSystemTime(24_000);
    bar.update({ done: 10_000, total: 10_000, states: 50_000 });
    expect(lines).toEqual([
      'verify: 16/10000 runs (0%), 1000 states, 250 states/s',
      'verify: 200/10000 runs (2%), 2000 states, 333 states/s',
      // 1000 runs in 10 s since the first report: 8984 left take 90 s
      `verify: 1016/10000 runs (10%), 9000 states, 643 states/s, ETA ${duration(89.84)}`,
      'verify: 10000/10000 runs (100%), 50000 states, 2083 states/s',
    ]);
  });

  it('prints no progress with --quiet', () => {
    const lines: string[] = [];
    const bar = progress({ out: () => {}, err: (t) => lines.push(t), isTTY: false }, 'verify', true, 0);
    bar.update({ done: 1, total: 2, states: 3 });
    expect(lines).toEqual([]);
  });
});
