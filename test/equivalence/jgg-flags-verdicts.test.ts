import { DIRECT_SCOPE } from '../../models/versions.ts';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';

/**
 * Verify v2-p4 and jgg-flags in this thread, every platform and configuration, 1 thread x 3 calls, on the
 * dma_direct_* entry points: the jgg-flags free recovers the flag from force_dma_unencrypted(), which a
 * driver's mask change between alloc and free would falsify (see models/machines/jgg-flags-common.ts).
 */
async function results(): Promise<Results> {
  return verify({ selection: parseSelection({ versions: 'v2-p4,jgg-flags', entryPoints: DIRECT_SCOPE.filter((e) => e !== 'dma_set_coherent_mask').join(','), threads: 1, calls: 3 }), workers: 0 });
}

const verdicts = (r: Results, version: string) =>
  Object.fromEntries(r.results.filter((x) => x.version === version).map((x) => [x.property, `${x.verdict} ${x.violatingRuns.effective}E/${x.violatingRuns.latent}L`]));

describe('jgg-flags: Jason Gunthorpe\'s design, verified', () => {
  it('keeps the encryption invariants that v2-p4 keeps, fixes v2-p4\'s atomic-pool bugs, and reaches every state', async () => {
    const r = await results();
    expect(r.complete).toBe(true);
    expect(verdicts(r, 'jgg-flags')).toEqual({
      'no-double-decrypt': 'holds 0E/0L',
      'no-double-encrypt': 'holds 0E/0L',
      // The design frees an atomic-pool chunk by its phys, so the REMAP lookup miss of v2-p4 is gone.
      'no-encrypted-mapped-decrypted': 'holds 0E/0L',
      'page-ownership': 'holds 0E/0L',
      'no-decrypted-mapped-encrypted': 'holds 0E/0L',
      'leak-only-on-set-memory-failure': 'holds 0E/0L',
      'no-decrypted-page-to-allocator': 'holds 0E/0L',
      'pool-slots-stay-decrypted': 'holds 0E/0L',
      // A restricted-pool device with a non-blocking gfp remaps, as at baseline.
      'no-blocking-in-atomic': 'violated 48E/0L',
    });
    expect(verdicts(r, 'v2-p4')['page-ownership']).toBe('violated 60E/0L');
    const p4 = verdicts(r, 'v2-p4');
    expect(p4['leak-only-on-set-memory-failure']).toBe('violated 60E/0L');
    expect(p4['no-decrypted-mapped-encrypted']).toBe('violated 0E/6L');
    for (const x of r.reachability.filter((x) => x.version === 'jgg-flags')) {
      expect(x.unreached).toEqual([]);
      expect(x.unexpectedlyReached).toEqual([]);
    }
  });
});
