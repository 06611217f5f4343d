import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';

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
});
