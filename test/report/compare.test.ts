import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/check/results.ts';
import { compareDirs, compareMarkdown, compareResults, comparisonExitCode } from '../../src/report/compare.ts';
import { writeReports } from '../../src/report/write.ts';
import { clone, smallResults } from './fixture.ts';
import { tempDir } from '../temp-dir.ts';

const tmp = () => tempDir('compare');

/** The small matrix without baseline's double-decrypt violation on cca (as if the model had missed it). */
async function withoutDoubleDecrypt(): Promise<Results> {
  const res = clone(await smallResults());
  const r = res.results.find((x) => x.version === 'baseline' && x.property === 'no-double-decrypt')!;
  const [gone, ...rest] = r.violations;
  expect(gone!.platform).toBe('cca');
  Object.assign(r, { violations: rest, verdict: rest.length ? 'violated' : 'holds', violatingRuns: { effective: r.violatingRuns.effective - gone!.runs, latent: r.violatingRuns.latent } });
  return res;
}

describe('run-to-run comparison', () => {
  it('lists exactly the one violation that differs between two report directories as new', async () => {
    const before = tmp();
    const after = tmp();
    await writeReports(before, await withoutDoubleDecrypt());
    await writeReports(after, await smallResults());
    const c = compareDirs(before, after);
    expect(c.newViolations.map((v) => [v.version, v.property, v.platform, v.device, v.severity])).toEqual([
      ['baseline', 'no-double-decrypt', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'effective'],
    ]);
    expect(c.fixedViolations).toEqual([]);
    const all = (await smallResults()).results.reduce((n, r) => n + r.violations.length, 0);
    expect(c.unchangedViolations).toHaveLength(all - 1);
    expect(c.stateCounts).toEqual([]);
    expect(c.newlyUnreached).toEqual([]);
    expect(comparisonExitCode(c)).toBe(1);
    // The other way round it is fixed, and nothing is new.
    const back = compareDirs(after, before);
    expect(back.newViolations).toEqual([]);
    expect(back.fixedViolations.map((v) => v.property)).toEqual(['no-double-decrypt']);
    expect(comparisonExitCode(back)).toBe(0);
  });

  it('reports state counts that changed, by how much, and obligations newly unreached', async () => {
    const prev = await smallResults();
    const cur = clone(prev);
    const sc = cur.stateCounts as Record<string, Record<string, number>>;
    const was = sc['baseline']!['cca']!;
    sc['baseline']!['cca'] = was + 10;
    const reach = cur.reachability.find((r) => r.version === 'v2-p1' && r.entryPoint === 'dma_direct_alloc')!;
    Object.assign(reach, { unreached: [...reach.unreached, 'state remapping'] });
    const c = compareResults(prev, cur);
    expect(c.stateCounts).toEqual([{ version: 'baseline', platform: 'cca', before: was, after: was + 10, delta: 10, relative: 10 / was }]);
    expect(c.newlyUnreached).toEqual([{ version: 'v2-p1', entryPoint: 'dma_direct_alloc', id: 'state remapping' }]);
    expect(c.newViolations).toEqual([]);
    const md = compareMarkdown(c, 'reports/yesterday');
    expect(md).toContain('**0 new**, 0 fixed');
    expect(md).toContain(`| baseline | cca | ${was} | ${was + 10} | +10 (+`);
    expect(md).toContain('- v2-p1 dma_direct_alloc: `state remapping`');
  });

  it('keeps violations of versions tonight does not run apart from fixed ones', async () => {
    const prev = await smallResults();
    const cur = clone(prev);
    Object.assign(cur, { selection: { ...cur.selection, versions: ['v2-p1'] }, results: cur.results.filter((r) => r.version === 'v2-p1') });
    const c = compareResults(prev, cur);
    expect(c.fixedViolations).toEqual([]);
    expect(c.notCompared.every((v) => v.version === 'baseline')).toBe(true);
    expect(c.notCompared.length).toBeGreaterThan(0);
    expect(c.sameSelection).toBe(false);
  });

  it('writes a readable compare.md', async () => {
    const c = compareResults(await withoutDoubleDecrypt(), await smallResults());
    const dir = tmp();
    const md = compareMarkdown(c, dir);
    expect(md).toMatch(/## New violations\n\n\| version[^\n]*\n\|---[^\n]*\n\| baseline \| no-double-decrypt \| cca \| `coherent=1,pool=own,gfp=blocking,nkm=0` \| effective \| \d+ \| 3 \|\n\n## Fixed violations\n\nNone\./);
  });
});
