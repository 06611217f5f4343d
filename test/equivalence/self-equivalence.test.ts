import { describe, expect, it } from 'vitest';
import { VERSION_IDS } from '../../models/versions.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { diff } from '../../src/equivalence/diff.ts';

/**
 * The whole matrix (every platform, device configuration and program
 * tuple) at 2 threads x 2 calls: 1360 runs per version. At verify's
 * default bound (2 threads x 3 calls, 7480 runs) the same check takes
 * about a minute per version, too slow for CI; `dmacheck diff V V` runs it.
 */
describe('every version is equivalent to itself over the whole matrix', () => {
  it.each(VERSION_IDS)('%s', async (v) => {
    const r = await diff({ a: v, b: v, selection: parseSelection({ threads: 2, calls: 2 }), observable: 'calls-v1', workers: 0 });
    expect(r.verdict).toBe('equivalent');
    expect(r.complete).toBe(true);
    expect(r.totals).toMatchObject({ runs: 2904, equivalent: 2904, different: { effective: 0, latent: 0 } });
    expect(r.groups).toEqual([]);
  });
});
