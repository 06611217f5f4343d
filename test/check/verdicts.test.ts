import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { DIRECT_SCOPE } from '../../models/versions.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';

/** Verify in this thread at a small bound, restricted to one platform and device configuration. */
async function run(versions: string, platforms: string, device: string, properties = 'all', extra: { threads?: number; calls?: number } = {}): Promise<Results> {
  // dma-direct's own entry points: these verdicts are about direct.c (the front end has tests of its own)
  const selection = parseSelection({ versions, platforms, device, properties, entryPoints: DIRECT_SCOPE.join(','), threads: extra.threads ?? 1, calls: extra.calls ?? 3 });
  return verify({ selection, workers: 0 });
}

function verdict(r: Results, version: string, property: string) {
  return r.results.find((x) => x.version === version && x.property === property)!;
}

describe('pinned verdicts of the v2 series', () => {
  it('finds the double decrypt on cca with a restricted pool at baseline, and v2-p1 fixes it', async () => {
    const r = await run('baseline,v2-p1', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt');
    const base = verdict(r, 'baseline', 'no-double-decrypt');
    expect(base.verdict).toBe('violated');
    expect(base.violations.map((v) => [v.platform, v.device, v.severity, v.depth])).toEqual([
      ['cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'effective', 3],
    ]);
    const steps = base.violations[0]!.trace.steps;
    expect(steps.map((s) => `${s.thread}:${s.call}:${s.event}${s.page ? `(${s.page})` : ''}`)).toEqual([
      '0:dma_direct_alloc:CALL',
      '0:dma_direct_alloc:SWIOTLB_ALLOC_OK(pool0.slot0)',
      '0:dma_direct_alloc:SET_DECRYPTED_OK',
    ]);
    expect(steps[2]!.from).toBe('setMemoryDecrypted');
    expect(steps[2]!.changes).toContain('pool0.slot0: DEC -> DEC (set_memory_decrypted() ok)');
    expect(verdict(r, 'v2-p1', 'no-double-decrypt').verdict).toBe('holds');
  });

  it('finds the decrypted vmap alias of an encrypted page on cca with a non-coherent device at baseline; v2-p3 fixes it', async () => {
    const r = await run('baseline,v2-p2,v2-p3', 'cca', 'coherent=0,pool=none,gfp=blocking,nkm=0', 'no-encrypted-mapped-decrypted');
    for (const v of ['baseline', 'v2-p2']) {
      const res = verdict(r, v, 'no-encrypted-mapped-decrypted');
      expect(res.verdict).toBe('violated');
      expect(res.violations.map((g) => [g.severity, g.depth])).toEqual([['effective', 3]]);
      expect(res.violations[0]!.trace.steps[2]!.event).toBe('REMAP_OK');
      // The same step hands the device the unencrypted DMA address of the still-encrypted page.
      expect(res.violations[0]!.trace.message).toBe('page0 is encrypted but has a decrypted vmap alias and an unencrypted DMA address');
    }
    expect(verdict(r, 'v2-p3', 'no-encrypted-mapped-decrypted').verdict).toBe('holds');
  });

  it('shows that patch 3 without patch 1 double-decrypts on the remap path', async () => {
    const r = await run('v2-p3-without-p1,v2-p3', 'cca', 'coherent=0,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt');
    const res = verdict(r, 'v2-p3-without-p1', 'no-double-decrypt');
    expect(res.violations.map((g) => [g.severity, g.depth])).toEqual([['effective', 3]]);
    const last = res.violations[0]!.trace.steps[2]!;
    expect([last.from, last.event, last.to]).toEqual(['setMemoryDecrypted', 'SET_DECRYPTED_OK', 'remapping']);
    expect(verdict(r, 'v2-p3', 'no-double-decrypt').verdict).toBe('holds');
  });

  it('leaks the page when set_memory_decrypted fails on tdx, which the leak rule allows', async () => {
    const r = await run('baseline', 'tdx', 'coherent=1,pool=none,gfp=blocking,nkm=0', 'leak-only-on-set-memory-failure,no-decrypted-page-to-allocator', { calls: 2 });
    expect(verdict(r, 'baseline', 'leak-only-on-set-memory-failure').verdict).toBe('holds');
    expect(verdict(r, 'baseline', 'no-decrypted-page-to-allocator').verdict).toBe('holds');
    // The failure path is explored: the leak state of dma_direct_alloc is reached.
    const cov = r.coverage['baseline']!['dma_direct_alloc']!;
    expect(cov).toContain('setMemoryDecrypted on SET_DECRYPTED_FAILED [0] -> outLeakPages');
    expect(cov).toContain('state outLeakPages');
  });

  it('finds the bogus struct page of dma_direct_alloc_pages from the atomic pool in every v2 version', async () => {
    const r = await run('baseline,v2-p4', 'cca', 'coherent=1,pool=none,gfp=atomic,nkm=0', 'page-ownership,leak-only-on-set-memory-failure', { calls: 2 });
    for (const v of ['baseline', 'v2-p4']) {
      const res = verdict(r, v, 'page-ownership');
      expect(res.violations.map((g) => [g.severity, g.depth])).toEqual([['effective', 2]]);
      expect(res.violations[0]!.trace.message).toBe('the CPU address of the pool chunk is returned as its struct page *');
      expect(verdict(r, v, 'leak-only-on-set-memory-failure').verdict).toBe('violated');
    }
  });

  it('reports the pKVM restricted-pool DMA address mismatch as latent, fixed by v2-p2', async () => {
    const r = await run('v2-p1,v2-p2', 'pkvm', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-decrypted-mapped-encrypted', { calls: 2 });
    const p1 = verdict(r, 'v2-p1', 'no-decrypted-mapped-encrypted');
    expect(p1.violations.map((g) => [g.severity, g.depth])).toEqual([['latent', 2]]);
    // alloc+free, alloc+mmap and alloc_pages+free_pages all hand out the encrypted address.
    expect(p1.violatingRuns).toEqual({ effective: 0, latent: 3 });
    expect(verdict(r, 'v2-p2', 'no-decrypted-mapped-encrypted').violations.map((g) => [g.severity, g.depth])).toEqual([['latent', 4]]);
  });
});

describe('pinned state counts', () => {
  it('explores the same number of states for a fixed small matrix', async () => {
    const r = await run('baseline,v2-p4', 'cca,tdx,pkvm', '', 'all', { threads: 1, calls: 3 });
    expect(r.complete).toBe(true);
    expect([r.totals.runs, r.totals.states, r.totals.transitions]).toMatchInlineSnapshot(`
      [
        720,
        7350,
        7616,
      ]
    `);
    expect(r.stateCounts).toMatchInlineSnapshot(`
      {
        "baseline": {
          "cca": 2048,
          "pkvm": 1350,
          "tdx": 448,
        },
        "v2-p4": {
          "cca": 1706,
          "pkvm": 1350,
          "tdx": 448,
        },
      }
    `);
  });
});
