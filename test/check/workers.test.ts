import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import { WORKER } from '../../src/parallel/pool.ts';
import { startPool } from '../../src/parallel/worker-script.ts';

const withoutTiming = (r: Results): Omit<Results, 'timing'> => {
  const { timing: _t, ...rest } = r;
  return rest;
};

describe('parallel exploration', () => {
  it('gives identical results JSON with 1 worker, 2 workers and in-process (apart from timings)', async () => {
    const selection = parseSelection({ versions: 'baseline,v2-p3', platforms: 'cca,tdx,pkvm,arm32-highmem', threads: 2, calls: 2 });
    const one = await verify({ selection, workers: 1, batchSize: 7 });
    const two = await verify({ selection, workers: 2, batchSize: 5 });
    const inProcess = await verify({ selection, workers: 0 });
    expect(one.totals.runsDone).toBe(one.totals.runs);
    expect(one.results.some((r) => r.verdict === 'violated')).toBe(true);
    expect(JSON.stringify(withoutTiming(two))).toBe(JSON.stringify(withoutTiming(one)));
    expect(JSON.stringify(withoutTiming(inProcess))).toBe(JSON.stringify(withoutTiming(one)));
  });

  it('gives the same results on a pool that already ran a verify, and leaves a pool it was given running', async () => {
    // the benchmark's warm pools: a worker keeps its compiled steps and buffers between verifies, never its results
    const first = parseSelection({ versions: 'baseline', platforms: 'sev,cca', threads: 2, calls: 2 });
    const selection = parseSelection({ versions: 'baseline,v2-p3', platforms: 'cca,tdx,pkvm,arm32-highmem', threads: 2, calls: 2 });
    const pool = await startPool(WORKER, 2);
    try {
      await verify({ selection: first, workers: 2, pool });
      const again = await verify({ selection, workers: 2, batchSize: 5, pool });
      expect(pool.stats().totalWorkers).toBe(2);
      const fresh = await verify({ selection, workers: 0 });
      expect(again.results.some((r) => r.verdict === 'violated')).toBe(true);
      expect(JSON.stringify(withoutTiming(again))).toBe(JSON.stringify(withoutTiming(fresh)));
    } finally {
      await pool.terminate(true);
    }
  });
});
