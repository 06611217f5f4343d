/**
 * The benchmark harness, on its tiny smoke workloads: the report has the
 * numbers the issue asks for, every one positive, and the explored spaces
 * are the pinned ones. (Speed itself is never asserted.)
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/bench/main.ts';
import type { BenchReport } from '../../src/bench/run-bench.ts';
import { formatBench } from '../../src/bench/format-bench.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('npm run bench', () => {
  it('prints a JSON report with the top-level heavy-run numbers, all positive', async () => {
    vi.stubEnv('DMACHECK_WORKER_SCRIPT', ''); // the default, whatever the shell exports
    const c = capture();
    expect(await main(['--json', '--smoke', '--quick'], c.io)).toBe(0);
    const r = JSON.parse(c.out.join('')) as BenchReport;
    expect(r.format).toBe('dmacheck-bench');
    for (const k of ['statesPerSecondPerWorker', 'speedup2Workers', 'bytesPerState'] as const) {
      expect(typeof r[k]).toBe('number');
      expect(r[k]).toBeGreaterThan(0);
    }
    expect(r.statesPerSecondPerWorker).toBe(r.heavy.statesPerSecondPerWorker);
    expect(r.medianOf).toBe(1);
    for (const f of r.fixedRuns) {
      for (const v of [f.states, f.transitions, f.seconds, f.statesPerSecondPerWorker, f.bytesPerState]) expect(v).toBeGreaterThan(0);
      if (f.stepReuseHitRate !== null) expect(f.stepReuseHitRate).toBeGreaterThan(0);
      expect(f.stepReuseHitRate ?? 1).toBeLessThanOrEqual(1);
    }
    // the smoke workloads explore fixed spaces
    expect(r.fixedRuns.map((f) => [f.name, f.states, f.transitions])).toEqual([
      ['heavy (smoke)', 475, 1004],
      ['heavy (smoke), explorer only', 475, 1004],
      ['heavy (smoke), bare model', 475, 1004],
    ]);
    // the heavy run on the version extracted from the fixture tree: its own space, through the same step cache
    expect([r.extracted.run.name, r.extracted.run.states, r.extracted.run.transitions]).toEqual(['heavy (smoke), extracted', 48, 80]);
    expect(r.extracted.tree).toBe(join(import.meta.dirname, '..', 'fixtures', 'tree'));
    expect(r.extracted.run.stepReuseHitRate).toBeGreaterThan(0);
    expect(r.extracted.rateOverHand).toBeCloseTo(r.extracted.run.statesPerSecondPerWorker / r.heavy.statesPerSecondPerWorker);
    expect(r.fixedRuns[1]!.stepReuseHitRate).toBeNull();
    expect(r.fixedRuns[0]!.memoHitRate).toBeGreaterThan(0);
    expect(r.fixedRuns[2]!.memoHitRate).toBeNull();
    expect(r.speedup.oneWorker.states).toBe(r.speedup.twoWorkers.states);
    expect(r.speedup.startup.oneWorker).toBeGreaterThan(0);
    expect(r.speedup.startup.twoWorkers).toBeGreaterThan(0);
    expect(r.speedup.workerScript.kind).toBe('bundle');
    expect(r.speedup.workerScript.seconds).toBeGreaterThan(0);
    expect(r.speedup.warm.samples.oneWorker).toHaveLength(1);
    expect(r.speedup.warm.twoWorkers).toBe(r.speedup.warm.samples.twoWorkers[0]);
    expect(r.speedup.warm.speedup).toBeCloseTo(r.speedup.warm.oneWorker / r.speedup.warm.twoWorkers);
    expect(r.growth.cells.map((g) => [g.threads, g.calls, g.states])).toEqual([[1, 1, 16], [1, 2, 31], [2, 1, 100], [2, 2, 343]]);
    expect(r.reductions.rows.map((x) => [x.mode, x.states])).toEqual([['none', 872], ['symmetry', 496], ['por', 522], ['both', 343]]);
    expect(r.reductions.rows[3]!.factor).toBeCloseTo(872 / 343);
    // `dmacheck list` started 3 times built and 3 times from the sources; the top-level number is the built median
    expect(r.listStartup.samples.built).toHaveLength(3);
    expect(r.listStartup.samples.fromSources).toHaveLength(3);
    expect(r.listStartupSeconds).toBe(r.listStartup.built);
    expect(r.listStartup.built).toBe([...r.listStartup.samples.built].sort((a, b) => a - b)[1]);
    expect(r.listStartup.fromSources).toBe([...r.listStartup.samples.fromSources].sort((a, b) => a - b)[1]);
    expect(r.listStartup.built).toBeGreaterThan(0);
    // the text form shows the same report, and says which numbers are medians
    const text = formatBench(r);
    expect(text).toContain('MEDIAN of 1 repetition');
    expect(text).toContain('states/s per worker');
    expect(text).toMatch(/speedup of 2 workers: [\d.]+x/);
    expect(text).toMatch(/on pools already warm .*: [\d.]+s on 1 worker, [\d.]+s on 2, speedup [\d.]+x/);
    expect(text).toMatch(/workers load one bundled JavaScript file, made once per process before timing in [\d.]+s/);
    expect(text).toMatch(/^ {2}dmacheck list, built +\d+\.\d{3} +<= 0\.5 +(met|NOT MET .*)$/m);
    expect(text).toMatch(/^ {2}dmacheck list, sources \(tsx\) +\d+\.\d{3}$/m);
  });

  it('rejects an unknown flag and a bad --repeats with exit code 2 and a one-line error', async () => {
    const c = capture();
    expect(await main(['--fast'], c.io)).toBe(2);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/--fast.*valid: --json, --quick, --repeats N, --smoke/);
    const d = capture();
    expect(await main(['--repeats', '0'], d.io)).toBe(2);
    expect(d.err).toEqual(["dmacheck-bench: bad --repeats '0' (valid: an integer from 1 to 99)"]);
    const t = capture();
    expect(await main(['--smoke', '--quick', '--tree', '/nonexistent-tree'], t.io)).toBe(2);
    expect(t.err.filter((l) => !l.startsWith('bench: '))).toEqual(["dmacheck-bench: no such directory '/nonexistent-tree' (--tree takes a kernel source tree)"]);
    expect(t.out).toEqual([]);
  });
});
