import { describe, expect, it } from 'vitest';
import { buildMatrix } from '../../src/check/matrix.ts';
import type { Results } from '../../src/check/results.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { compareDirs, compareMarkdown, compareResults, comparisonExitCode, type ComparedViolation } from '../../src/report/compare.ts';
import { writeReports } from '../../src/report/write.ts';
import { clone, SMALL, smallResults } from './fixture.ts';
import { tempDir } from '../temp-dir.ts';

const tmp = () => tempDir('compare');

const label = (v: ComparedViolation) => `${v.version} ${v.property} ${v.platform} ${v.device} ${v.severity}`;
const groupCount = (r: Results) => r.results.reduce((n, p) => n + p.violations.length, 0);

let cut: Promise<Results> | undefined;
/**
 * The small matrix interrupted after 40 of its 160 runs (4 per device configuration, version-major):
 * baseline on tdx and the first six device configurations of baseline on cca finished, nothing of v2-p1.
 */
function interrupted(): Promise<Results> {
  let batches = 0;
  cut ??= verify({ selection: parseSelection(SMALL), workers: 0, batchSize: 4, shouldStop: () => batches++ >= 10 });
  return cut;
}

/** `r` with one more violation group: a copy of the first group of (version, property) on another device. */
function withPlanted(r: Results, version: string, property: string, device: string): Results {
  const res = clone(r);
  const pr = res.results.find((x) => x.version === version && x.property === property)!;
  Object.assign(pr, { verdict: 'violated', violations: [...pr.violations, { ...pr.violations[0]!, device }] });
  return res;
}

/** `r` without the violation group of (version, property, platform, device). */
function without(r: Results, version: string, property: string, platform: string, device: string): Results {
  const res = clone(r);
  const pr = res.results.find((x) => x.version === version && x.property === property)!;
  Object.assign(pr, { violations: pr.violations.filter((g) => g.platform !== platform || g.device !== device) });
  return res;
}

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
    // the run records are what is compared: the first run of baseline on cca found 10 states more
    const first = buildMatrix(cur.selection).tasks.find((t) => t.version === 'baseline' && t.platform === 'cca')!;
    (cur.runs as unknown as number[][]).find((r) => r[0] === first.index)![1]! += 10;
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
    expect(c.notCompared.every((v) => v.version === 'baseline' && v.reason === 'no-longer-checked')).toBe(true);
    expect(c.notCompared.length).toBeGreaterThan(0);
    expect(c.sameSelection).toBe(false);
  });

  it('writes a readable compare.md', async () => {
    const c = compareResults(await withoutDoubleDecrypt(), await smallResults());
    const dir = tmp();
    const md = compareMarkdown(c, dir);
    expect(md).toMatch(/## New violations\n\n\| version[^\n]*\n\|---[^\n]*\n\| baseline \| no-double-decrypt \| cca \| `coherent=1,pool=own,gfp=blocking,nkm=0` \| effective \| \d+ \| 3 \|\n\n## Fixed violations\n\nNone\./);
  });

  it('compares an interrupted night only on the runs it finished: nothing it did not reach is fixed', async () => {
    const full = await smallResults();
    const night = await interrupted();
    expect(night.incompleteReason).toBe('interrupted after 40 of 160 runs');
    expect(groupCount(full)).toBe(32);
    expect(groupCount(night)).toBe(10);
    // Last night also violated no-double-decrypt on a device configuration that tonight finished without finding it.
    const planted = 'coherent=1,pool=none,gfp=blocking,nkm=0';
    const c = compareResults(withPlanted(full, 'baseline', 'no-double-decrypt', planted), night);
    expect(c.fixedViolations.map(label)).toEqual([`baseline no-double-decrypt cca ${planted} effective`]);
    expect(c.newViolations).toEqual([]);
    expect(c.unchangedViolations).toHaveLength(10);
    expect(c.notCompared).toHaveLength(22);
    expect(new Set(c.notCompared.map((v) => v.reason))).toEqual(new Set(['unfinished']));
    expect(c.notCompared.filter((v) => v.version === 'baseline').map((v) => `${v.property} ${v.device}`)).toEqual([
      'no-double-decrypt coherent=1,pool=own,gfp=atomic,nkm=0', 'no-double-decrypt coherent=1,pool=own,gfp=atomic,nkm=1',
      'no-double-decrypt coherent=0,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt coherent=0,pool=own,gfp=blocking,nkm=1',
      'no-double-decrypt coherent=0,pool=own,gfp=atomic,nkm=0', 'no-double-decrypt coherent=0,pool=own,gfp=atomic,nkm=1',
      'leak-only-on-set-memory-failure coherent=0,pool=none,gfp=atomic,nkm=0', 'leak-only-on-set-memory-failure coherent=0,pool=none,gfp=atomic,nkm=1',
      'page-ownership coherent=0,pool=none,gfp=atomic,nkm=0', 'page-ownership coherent=0,pool=none,gfp=atomic,nkm=1',
    ]);
    // State counts over the 40 runs both finished (the same model: no change), none for v2-p1, which tonight did not reach.
    expect(c.stateCounts).toEqual([]);
    expect(c.stateCountsNotCompared).toEqual([
      { version: 'v2-p1', platform: 'tdx', reason: 'unfinished' },
      { version: 'v2-p1', platform: 'cca', reason: 'unfinished' },
    ]);
    expect(c.newlyUnreached).toEqual([]);
    expect(c.reachabilityNotCompared).toEqual([{ version: 'baseline', reason: 'unfinished' }, { version: 'v2-p1', reason: 'unfinished' }]);
    const md = compareMarkdown(c);
    expect(md).toContain('**0 new**, 1 fixed, 10 unchanged violation(s), 22 not compared;');
    expect(md).toContain('| previous | not finished | v2-p1 | page-ownership | cca | `coherent=0,pool=none,gfp=atomic,nkm=1` | effective | 1 |');
  });

  it('counts a violation as new only where the previous night finished the runs', async () => {
    const full = await smallResults();
    // Last night was interrupted, and in a device configuration it finished it had not found this leak.
    const gone = ['baseline', 'leak-only-on-set-memory-failure', 'tdx', 'coherent=1,pool=none,gfp=atomic,nkm=0'] as const;
    const c = compareResults(without(await interrupted(), ...gone), full);
    expect(c.newViolations.map(label)).toEqual([`${gone.join(' ')} effective`]);
    expect(c.unchangedViolations).toHaveLength(9);
    expect(c.notComparedTonight).toHaveLength(22);
    expect(new Set(c.notComparedTonight.map((v) => v.reason))).toEqual(new Set(['unfinished']));
    expect(c.fixedViolations).toEqual([]);
    expect(comparisonExitCode(c)).toBe(1);
  });

  it('reports versions, platforms and properties added to or removed from the configuration as newly or no longer checked, with their counts', async () => {
    const prev = await smallResults();
    const cur = await verify({
      selection: parseSelection({ versions: 'baseline,v2-p2', platforms: 'cca', properties: 'no-double-decrypt,leak-only-on-set-memory-failure,no-double-encrypt', threads: 1, calls: 2 }),
      workers: 0,
    });
    const c = compareResults(prev, cur);
    const states = (r: Results, pick: (version: string, platform: string) => boolean) =>
      Object.entries(r.stateCounts).reduce((n, [v, byP]) => n + Object.entries(byP).reduce((m, [p, k]) => m + (pick(v, p) ? k : 0), 0), 0);
    const v2p2 = cur.results.filter((r) => r.version === 'v2-p2');
    const encrypt = cur.results.filter((r) => r.property === 'no-double-encrypt');
    expect(c.newlyChecked).toEqual([
      {
        kind: 'version', id: 'v2-p2', states: states(cur, (v) => v === 'v2-p2'),
        violations: v2p2.reduce((n, r) => n + r.violations.length, 0),
        violatingRuns: { effective: v2p2.reduce((n, r) => n + r.violatingRuns.effective, 0), latent: v2p2.reduce((n, r) => n + r.violatingRuns.latent, 0) },
      },
      {
        kind: 'property', id: 'no-double-encrypt', states: null,
        violations: encrypt.reduce((n, r) => n + r.violations.length, 0),
        violatingRuns: { effective: encrypt.reduce((n, r) => n + r.violatingRuns.effective, 0), latent: encrypt.reduce((n, r) => n + r.violatingRuns.latent, 0) },
      },
    ]);
    expect(c.newlyChecked[0]!.states).toBeGreaterThan(0);
    expect(c.newlyChecked[0]!.violations).toBe(4);
    expect(c.noLongerChecked).toEqual([
      { kind: 'version', id: 'v2-p1', states: states(prev, (v) => v === 'v2-p1'), violations: 12, violatingRuns: { effective: 12, latent: 0 } },
      { kind: 'platform', id: 'tdx', states: states(prev, (_v, p) => p === 'tdx'), violations: 8, violatingRuns: { effective: 8, latent: 0 } },
      { kind: 'property', id: 'page-ownership', states: null, violations: 12, violatingRuns: { effective: 12, latent: 0 } },
    ]);
    // Nothing is new or fixed because of the change; what only one night checked is listed apart.
    expect(c.newViolations).toEqual([]);
    expect(c.fixedViolations).toEqual([]);
    expect(c.unchangedViolations.map((v) => `${v.version} ${v.platform}`)).toEqual(new Array(12).fill('baseline cca'));
    expect(c.notComparedTonight.map((v) => [v.version, v.reason])).toEqual(new Array(4).fill(['v2-p2', 'newly-checked']));
    expect(c.notCompared).toHaveLength(32 - 12);
    expect(new Set(c.notCompared.map((v) => v.reason))).toEqual(new Set(['no-longer-checked']));
    // No "-100%" state counts: only baseline on cca is in both, and it did not change.
    expect(c.stateCounts).toEqual([]);
    expect(c.stateCountsNotCompared).toEqual([]);
    expect(comparisonExitCode(c)).toBe(0);
    const md = compareMarkdown(c);
    expect(md).toContain(`## Newly checked\n\n| kind | id | states | violations | violating runs (effective / latent) |\n|---|---|---|---|---|\n| version | v2-p2 | ${c.newlyChecked[0]!.states} | 4 | 12 / 0 |`);
    expect(md).toContain('| platform | tdx |');
    expect(md).toContain('| property | page-ownership | - | 12 | 12 / 0 |');
  });

  it('does not compare violations or state counts of nights run at another bound', async () => {
    const prev = await smallResults();
    const one = await verify({ selection: parseSelection({ ...SMALL, calls: 1 }), workers: 0 });
    // At one call per thread tonight does not find a leak last night found at two, and finds a double decrypt it did not.
    const gone = ['baseline', 'leak-only-on-set-memory-failure', 'tdx', 'coherent=1,pool=none,gfp=atomic,nkm=0'] as const;
    const planted = 'coherent=1,pool=none,gfp=blocking,nkm=1';
    const c = compareResults(prev, withPlanted(without(one, ...gone), 'baseline', 'no-double-decrypt', planted));
    expect(c.fixedViolations).toEqual([]);
    expect(c.newViolations).toEqual([]);
    expect(c.notCompared.map((v) => [label(v), v.reason])).toEqual([[`${gone.join(' ')} effective`, 'different-runs']]);
    expect(c.notComparedTonight.map((v) => [label(v), v.reason])).toEqual([[`baseline no-double-decrypt cca ${planted} effective`, 'different-runs']]);
    expect(c.stateCounts).toEqual([]);
    expect(c.stateCountsNotCompared.map((s) => s.reason)).toEqual(new Array(4).fill('different-runs'));
    expect(c.sameSelection).toBe(false);
  });

  it('compares a previous night that names a version this build does not have, trusting only its completeness', async () => {
    const full = await smallResults();
    // The same night, as a build that called v2-p1 'v2-gone' wrote it.
    const renamed = JSON.parse(JSON.stringify(full).replaceAll('"v2-p1"', '"v2-gone"')) as Results;
    const c = compareResults(renamed, full);
    expect(c.noLongerChecked.map((s) => `${s.kind} ${s.id}`)).toEqual(['version v2-gone']);
    expect(c.newlyChecked.map((s) => `${s.kind} ${s.id}`)).toEqual(['version v2-p1']);
    expect(c.unchangedViolations).toHaveLength(20);
    expect([c.newViolations, c.fixedViolations, c.stateCounts]).toEqual([[], [], []]);
    // Incomplete, its runs cannot be told apart: nothing it lacks is new.
    const gone = ['baseline', 'leak-only-on-set-memory-failure', 'tdx', 'coherent=1,pool=none,gfp=atomic,nkm=0'] as const;
    const cut = { ...without(renamed, ...gone), complete: false };
    const d = compareResults(cut, full);
    expect(d.newViolations).toEqual([]);
    expect(d.notComparedTonight.filter((v) => v.reason === 'unfinished').map(label)).toEqual([`${gone.join(' ')} effective`]);
    expect(d.stateCountsNotCompared.map((s) => `${s.version} ${s.platform} ${s.reason}`)).toEqual(['baseline tdx unfinished', 'baseline cca unfinished']);
  });

  it('says when the tool changed between the nights or a version id stands for other code', async () => {
    const cur = await smallResults();
    const prev = clone(cur) as unknown as Record<string, any>;
    prev['dmacheck'] = { version: '0.0.9' };
    prev['kernelVersions']['v2-p1'].source.description = 'v2 1/5, as first posted';
    const c = compareResults(prev as unknown as Results, cur);
    expect(c.dmacheck).toEqual({ previous: { version: '0.0.9' }, current: cur.dmacheck });
    expect(c.redefinedVersions).toEqual([{ version: 'v2-p1', previous: prev['kernelVersions']['v2-p1'].source, current: cur.kernelVersions!['v2-p1']!.source }]);
    const md = compareMarkdown(c);
    expect(md).toContain(`> dmacheck changed between the two runs: 0.0.9 -> ${cur.dmacheck!.version} (${cur.dmacheck!.commit!.slice(0, 12)}).`);
    expect(md).toContain('> `v2-p1` stands for other code tonight: {"kind":"hand-written","description":"v2 1/5, as first posted"');
    // the same tool and versions: no note; a night from before they were recorded: the tool is unrecorded, no version is said to differ
    expect(compareMarkdown(compareResults(cur, cur))).not.toContain('> dmacheck changed');
    const { dmacheck: _d, kernelVersions: _k, ...older } = clone(cur);
    const o = compareResults(older as Results, cur);
    expect([o.dmacheck.previous, o.redefinedVersions]).toEqual([null, []]);
    expect(compareMarkdown(o)).toContain(`> dmacheck changed between the two runs: unrecorded -> ${cur.dmacheck!.version}`);
  });

  it('does not count a device configuration as checked when a run of it was cut by the memory limit', async () => {
    const full = await smallResults();
    const device = 'coherent=1,pool=none,gfp=blocking,nkm=0';
    const cell = buildMatrix(full.selection).tasks.filter((t) => t.version === 'baseline' && t.platform === 'cca' && t.device.pool === 'none' && t.device.coherent && t.device.gfp === 'blocking' && !t.device.nkm);
    expect(cell).toHaveLength(4);
    const cutRun = clone(full);
    Object.assign(cutRun, { complete: false, runs: cutRun.runs.map((r) => (r[0] === cell[1]!.index ? [r[0], r[1], r[2], r[3], 0] : r)) });
    const previous = withPlanted(full, 'baseline', 'no-double-decrypt', device);
    const c = compareResults(previous, cutRun);
    expect(c.fixedViolations).toEqual([]);
    expect(c.notCompared.map((v) => [label(v), v.reason])).toEqual([[`baseline no-double-decrypt cca ${device} effective`, 'unfinished']]);
    // with every run of it finished, the same silence is a fix
    expect(compareResults(previous, full).fixedViolations.map(label)).toEqual([`baseline no-double-decrypt cca ${device} effective`]);
  });
});
