import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { mergeShards } from '../../src/check/merge.ts';
import type { Results } from '../../src/check/results.ts';

const withoutTiming = (r: Results): string => {
  const { timing: _t, ...rest } = r;
  return JSON.stringify(rest);
};

describe('shards', () => {
  const selection = parseSelection({ versions: 'baseline,v2-p1,v2-p3', platforms: 'cca,tdx,pkvm,plain-mips', threads: 2, calls: 2 });

  it('--shard 1/3 ... 3/3 merged equals the unsharded results JSON', async () => {
    const whole = await verify({ selection, workers: 0 });
    const shards = [];
    for (let i = 1; i <= 3; i++) shards.push(await verify({ selection, workers: 0, shard: { index: i, count: 3 } }));
    expect(shards.map((s) => s.totals.runs).reduce((a, b) => a + b)).toBe(whole.totals.runs);
    expect(shards.every((s) => s.complete && s.shard?.count === 3)).toBe(true);
    // The shards' order does not matter.
    const merged = mergeShards([shards[2]!, shards[0]!, shards[1]!].map((results, i) => ({ path: `shard${i}`, results })));
    expect(withoutTiming(merged)).toBe(withoutTiming(whole));
  });

  it('marks a merge with a missing shard incomplete, and refuses mismatched shards', async () => {
    const s1 = await verify({ selection, workers: 0, shard: { index: 1, count: 2 } });
    const merged = mergeShards([{ path: 'a', results: s1 }]);
    expect(merged.complete).toBe(false);
    expect(merged.incompleteReason).toBe('shards 2/2 missing');
    const other = await verify({ selection: parseSelection({ versions: 'baseline', platforms: 'cca', threads: 1, calls: 1 }), workers: 0, shard: { index: 2, count: 2 } });
    expect(() => mergeShards([{ path: 'a', results: s1 }, { path: 'b', results: other }])).toThrow(/b: its selection differs from a's/);
    expect(() => mergeShards([{ path: 'a', results: s1 }, { path: 'c', results: s1 }])).toThrow(/c: shard 1\/2 given twice/);
  });
});
