import { DIRECT_SCOPE } from '../../models/versions.ts';
import { describe, expect, it } from 'vitest';
import { forceDmaUnencrypted, parseDeviceFilter } from '../../models/devices.ts';
import { platformById } from '../../models/platforms.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { diff, type DiffResults } from '../../src/equivalence/diff.ts';
import { diffMarkdown, diffText } from '../../src/equivalence/diff-report.ts';

async function run(a: string, b: string, flags: { platforms?: string; device?: string; threads: number; calls: number }, workers = 0): Promise<DiffResults> {
  // the dma_direct_* entry points: the differences pinned here were found before drivers changed DMA masks
  return diff({ a, b, selection: parseSelection({ entryPoints: DIRECT_SCOPE.filter((e) => e !== 'dma_set_coherent_mask').join(','), ...flags }), observable: 'calls-v1', workers });
}

const withoutTiming = (r: DiffResults) => ({ ...r, timing: undefined });

describe('dmacheck diff: patch equivalence of kernel versions', () => {
  it('finds baseline and v2-p1 different only where force_dma_unencrypted and a restricted pool hold together', async () => {
    // The whole matrix at 2 threads x 2 calls.
    const r = await run('baseline', 'v2-p1', { threads: 2, calls: 2 });
    expect(r.verdict).toBe('different');
    expect(r.complete).toBe(true);
    expect(r.totals).toMatchObject({ runs: 1360, equivalent: 1256, different: { effective: 104, latent: 0 } });
    expect(r.groups).toHaveLength(16);
    expect(r.selection.device).toEqual({});
    for (const g of r.groups) {
      const d = parseDeviceFilter(g.device);
      const config = { coherent: d.coherent === '1', pool: d.pool as 'own', gfp: d.gfp as 'blocking', nkm: d.nkm === '1', ...(d.mask ? { mask: d.mask as 'below' } : {}) };
      expect(forceDmaUnencrypted(platformById(g.platform)!, config)).toBe(true);
      expect(config.pool).not.toBe('none');
    }
    // Pinned: the shortest scenario on cca with a coherent device and a pool of its own.
    const g = r.groups.find((x) => x.platform === 'cca' && x.device === 'coherent=1,pool=own,gfp=blocking,nkm=0')!;
    expect(g).toMatchObject({ severity: 'effective', runs: 10, differing: { effective: 9, latent: 0 } });
    const s = g.scenario;
    expect(s.length).toBe(3);
    expect(s.observable).toBe('calls-visible-v1');
    expect(s.word).toEqual(['T0 call dma_direct_alloc', 'T0 take pool0.slot0 from restricted-pool', 'T0 dma addr pool0.slot0 unencrypted']);
    expect(s.onlyIn).toBe('B');
    expect(s.rows.map((row) => [row.a, row.b, row.differs])).toEqual([
      ['T0 call dma_direct_alloc', 'T0 call dma_direct_alloc', false],
      ['T0 take pool0.slot0 from restricted-pool', 'T0 take pool0.slot0 from restricted-pool', false],
      ['T0 set_memory_decrypted(pool0.slot0) ok', 'T0 dma addr pool0.slot0 unencrypted', true],
    ]);
    // Baseline decrypts the pool slot a second time; v2-p1 hands it out as it is.
    expect(s.a.steps.map((x) => `${x.event}@${x.from}`)).toEqual(['CALL@start', 'SWIOTLB_ALLOC_OK@swiotlbAlloc', 'SET_DECRYPTED_OK@setMemoryDecrypted']);
    expect(s.b.steps.map((x) => `${x.event}@${x.from}`)).toEqual(['CALL@start', 'SWIOTLB_ALLOC_OK@swiotlbAlloc']);
    expect(s.a.steps[2]!.source).toContain('set_memory_decrypted');
    const text = diffText(r);
    expect(text.split('\n\n')[0]!.replace(/\n +/g, ' ')).toMatch(
      /^baseline and v2-p1: different in 104 of 1360 runs \(104 effective, 0 latent\), 16 \(platform, device\) group\(s\) \(2 thread\(s\), 2 call\(s\) per thread; observable: calls-v1\); \d+ distinct scenario\(s\) below$/);
    expect(text.split('\n').filter((l) => l.length > 80)).toEqual([]);
    expect(text).toContain('\n  >>  3  T0                                 | T0 dma addr pool0.slot0\n         set_memory_decrypted(pool0.slot0)  |   unencrypted\n         ok                                 |\n');
    expect(diffMarkdown(r)).toContain('| **>> 3** | T0 set_memory_decrypted(pool0.slot0) ok |');
  });

  it('finds patch 4 not quite a refactor: v2-p3 and v2-p4 differ latently, only on pkvm with a restricted pool', async () => {
    const r = await run('v2-p3', 'v2-p4', { threads: 1, calls: 3 });
    expect(r.totals.different.effective).toBe(0);
    // pinned: a model change that alters how far patch 4 differs shows up here
    expect(r.totals).toMatchObject({ runs: 1040, different: { effective: 0, latent: 28 } });
    expect(r.groups).toHaveLength(8);
    expect(new Set(r.groups.map((g) => g.platform))).toEqual(new Set(['pkvm']));
    for (const g of r.groups) expect(g.device).not.toContain('pool=none');
    const g = r.groups.find((x) => x.device === 'coherent=0,pool=own,gfp=blocking,nkm=0')!;
    expect(g.scenario.rows.at(-1)).toMatchObject({ a: 'T0 vmap pool0.slot0 encrypted', b: 'T0 vmap pool0.slot0 decrypted', differs: true });
    // The gfp and nkm knobs do not matter: two scenarios, each in four device configurations.
    expect(r.folds.map((f) => [f.platform, f.severity, f.devices])).toEqual([
      ['pkvm', 'latent', ['coherent=1,pool=own,gfp=blocking,nkm=0', 'coherent=1,pool=own,gfp=blocking,nkm=1', 'coherent=1,pool=own,gfp=atomic,nkm=0', 'coherent=1,pool=own,gfp=atomic,nkm=1']],
      ['pkvm', 'latent', ['coherent=0,pool=own,gfp=blocking,nkm=0', 'coherent=0,pool=own,gfp=blocking,nkm=1', 'coherent=0,pool=own,gfp=atomic,nkm=0', 'coherent=0,pool=own,gfp=atomic,nkm=1']],
    ]);
    expect(r.folds.flatMap((f) => f.groups).sort((x, y) => x - y)).toEqual(r.groups.map((_, i) => i));
    const text = diffText(r);
    expect(text.match(/^== .*$/gm)).toEqual([
      '== pkvm coherent=1 pool=own gfp=blocking|atomic nkm=0|1: latent, the same',
      '== pkvm coherent=0 pool=own gfp=blocking|atomic nkm=0|1: latent, the same',
    ]);
    expect(text.split('\n').filter((l) => l.length > 80)).toEqual([]);
    // The rows side by side keep the | in one column, wrapped labels included.
    const rows = text.split('\n').filter((l) => l.includes(' | '));
    expect(rows.length).toBeGreaterThan(10);
    expect(new Set(rows.map((l) => l.indexOf(' | ')))).toEqual(new Set([43]));
  });

  it('does not fold groups whose scenarios differ in more than page names', async () => {
    const r = await run('v2-p4', 'jgg-flags', { threads: 1, calls: 3 });
    for (const f of r.folds) {
      const shapes = new Set(f.groups.map((i) => JSON.stringify(r.groups[i]!.scenario.rows.map((x) => [x.a, x.b]))));
      expect(shapes.size).toBe(1);
    }
    // tdx (effective) and pkvm (latent) differ: never one fold.
    expect(r.folds.every((f) => new Set(f.groups.map((i) => `${r.groups[i]!.platform} ${r.groups[i]!.severity}`)).size === 1)).toBe(true);
    expect(r.folds.length).toBeLessThan(r.groups.length);
  });

  it('finds jgg-flags different from v2-p4 only on the atomic-pool paths', async () => {
    const r = await run('v2-p4', 'jgg-flags', { threads: 1, calls: 3 });
    const byGroup = Object.fromEntries(r.groups.map((g) => [`${g.platform} ${g.device}`, `${g.severity} ${g.scenario.rows.at(-1)!.a} | ${g.scenario.rows.at(-1)!.b}`]));
    // v2-p4 returns the pool's CPU address as the struct page; jgg-flags returns the chunk's page.
    expect(byGroup['tdx coherent=1,pool=none,gfp=atomic,nkm=0']).toBe('effective T0 bogus pointer to dma_direct_alloc_pages | T0 return struct page chunk0');
    // A non-coherent pKVM device gets the decrypted pool chunk with the encrypted DMA address under v2-p4.
    expect(byGroup['pkvm coherent=0,pool=none,gfp=atomic,nkm=0']).toBe('latent T0 dma addr chunk0 encrypted | T0 dma addr chunk0 unencrypted');
    for (const g of r.groups) expect(g.device).toContain('pool=none,gfp=atomic');
    expect(r.totals).toMatchObject({ runs: 1040, different: { effective: 60, latent: 6 } });
  });

  it('gives the same result whatever the number of workers', async () => {
    const flags = { platforms: 'cca,pkvm', device: 'pool=own', threads: 1, calls: 2 };
    const inProcess = await run('v2-p2', 'v2-p4', flags, 0);
    const pooled = await run('v2-p2', 'v2-p4', flags, 2);
    expect(inProcess.verdict).toBe('different');
    expect(withoutTiming(pooled)).toEqual(withoutTiming(inProcess));
  });
});
