import { describe, expect, it } from 'vitest';
import { VERSION_IDS } from '../../models/versions.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { diff } from '../../src/equivalence/diff.ts';

/**
 * The whole matrix (every platform, device configuration and program
 * tuple) at 2 threads x 2 calls: 3164 runs per version, 3284 for v7.3,
 * where pKVM is a CC platform and so also runs the shared-buffer caller's
 * programs (see src/check/matrix.ts). At verify's
 * default bound (2 threads x 3 calls, 7480 runs) the same check takes
 * about a minute per version, too slow for CI; `dmacheck diff V V` runs it.
 */
describe('every version is equivalent to itself over the whole matrix', () => {
  it.each(VERSION_IDS)('%s', async (v) => {
    const r = await diff({ a: v, b: v, selection: parseSelection({ threads: 2, calls: 2 }), observable: 'calls-v1', workers: 0 });
    expect(r.verdict).toBe('equivalent');
    expect(r.complete).toBe(true);
    const runs = v === 'v7.3' ? 3284 : 3164;
    expect(r.totals).toMatchObject({ runs, equivalent: runs, different: { effective: 0, latent: 0 } });
    expect(r.groups).toEqual([]);
  });
});
