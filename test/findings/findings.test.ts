import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_SCOPE } from '../../models/versions.ts';
import { parseSelection } from '../../src/check/selection.ts';
import type { Results } from '../../src/check/results.ts';
import { verify } from '../../src/check/verify.ts';
import { findings, TOP_DIFF_GROUPS, type FindingsRun } from '../../src/findings/findings.ts';
import { replayTrace } from '../../src/trace/replay.ts';

// pKVM at 1 thread x 2 calls: a restricted pool with an atomic gfp still remaps on v7.3 and on baseline.
// dma-direct's own entry points: the pins below are about direct.c on pKVM
const selection = parseSelection({ platforms: 'pkvm', threads: 1, calls: 2, entryPoints: DIRECT_SCOPE.join(',') });

describe('findings on pkvm at 1 thread x 2 calls', () => {
  let run: FindingsRun;
  let mine: Results;
  let base: Results;
  beforeAll(async () => {
    run = await findings({ version: 'v7.3', baseline: 'baseline', diffs: ['v2-p4'], selection, workers: 0, traceDir: 'out' });
    mine = await verify({ selection: { ...selection, versions: ['v7.3'] }, workers: 0 });
    base = await verify({ selection: { ...selection, versions: ['baseline'] }, workers: 0 });
  }, 120_000);

  it('lists the properties verify finds violated on v7.3, with every (platform, device) group and its shortest depth', () => {
    const f = run.findings;
    expect(f.violated.map((p) => p.property)).toEqual(mine.results.filter((r) => r.verdict === 'violated').map((r) => r.property));
    expect(f.holds).toEqual(mine.results.filter((r) => r.verdict === 'holds').map((r) => r.property));
    for (const p of f.violated) {
      const r = mine.results.find((x) => x.property === p.property)!;
      expect(p.violatingRuns).toEqual(r.violatingRuns);
      expect(p.groups.map((g) => [g.platform, g.device, g.severity, g.runs, g.depth]))
        .toEqual(r.violations.map((g) => [g.platform, g.device, g.severity, g.runs, g.depth]));
    }
    expect(f.violated.map((p) => [p.property, p.violatingRuns.effective, p.violatingRuns.latent, p.shortest.depth]))
      .toEqual([['no-blocking-in-atomic', 4, 0, 3]]);
    expect(f.totals).toEqual({ runs: mine.totals.runs, baselineRuns: base.totals.runs });
    expect(f.complete).toBe(true);
  });

  it('compares each group with the baseline run on the same platform and device configuration', () => {
    for (const p of run.findings.violated)
      for (const g of p.groups) {
        const theirs = base.results.find((x) => x.property === p.property)!.violations
          .filter((x) => x.platform === g.platform && x.device === g.device).map((x) => x.severity);
        expect(g.baseline).toEqual(theirs);
      }
    expect(run.findings.violated[0]!.groups.every((g) => g.baseline?.includes('effective'))).toBe(true);
  });

  it('keeps the shortest effective counterexample of each property, which replays on v7.3, and says what it does on the baseline', () => {
    for (const p of run.findings.violated) {
      const trace = run.traces.get(p.shortest.traceFile)!;
      expect(p.shortest.traceFile).toBe(`${p.property}.trace.json`);
      expect(trace.steps.length).toBe(Math.min(...p.groups.map((g) => g.depth)));
      expect([trace.run.platform, trace.severity]).toEqual([p.shortest.platform, p.shortest.severity]);
      expect(replayTrace(trace).verdict).toBe('reproduced');
      expect(p.shortest.onBaseline).toBe(replayTrace(trace, 'baseline').verdict);
    }
  });

  it('summarises the diff: counts that add up, and the top groups with distinct scenarios, effective and shortest first', () => {
    const [d] = run.findings.diffs;
    expect([d!.a, d!.b, d!.verdict]).toEqual(['v2-p4', 'v7.3', 'different']);
    const sum = d!.groups.reduce((n, g) => n + g.differing.effective + g.differing.latent, 0);
    expect(sum).toBe(d!.totals.different.effective + d!.totals.different.latent);
    expect(d!.top.length).toBeLessThanOrEqual(TOP_DIFF_GROUPS);
    expect(new Set(d!.top.map((g) => g.scenario.word.join('\n'))).size).toBe(d!.top.length);
    const effective = d!.groups.filter((g) => g.severity === 'effective');
    expect(d!.top[0]!.severity).toBe('effective');
    expect(d!.top[0]!.scenario.length).toBe(Math.min(...effective.map((g) => g.shortest)));
  });
});
