import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';

/** Everything a verdict consists of: per (version, property) the verdict, run counts, and per group the severity and counterexample length. */
const verdicts = (r: Results) =>
  r.results.map((p) => ({
    version: p.version, property: p.property, verdict: p.verdict, runs: p.violatingRuns,
    groups: p.violations.map((g) => `${g.platform} ${g.device} ${g.severity} runs=${g.runs} depth=${g.depth}`),
  }));

describe('reductions are sound', () => {
  it('agree with unreduced exploration on every verdict and counterexample length (all versions, platforms, properties)', async () => {
    const selection = parseSelection({ threads: 2, calls: 1 });
    const none = await verify({ selection, workers: 0, reductions: { symmetry: false, por: false } });
    const sym = await verify({ selection, workers: 0, reductions: { symmetry: true, por: false } });
    const por = await verify({ selection, workers: 0, reductions: { symmetry: false, por: true } });
    const both = await verify({ selection, workers: 0 });
    expect(none.results.some((r) => r.verdict === 'violated')).toBe(true);
    for (const r of [sym, por, both]) expect(verdicts(r)).toEqual(verdicts(none));
    // Each reduction does reduce.
    expect(sym.totals.states).toBeLessThan(none.totals.states);
    expect(por.totals.states).toBeLessThan(none.totals.states);
    expect(both.totals.states).toBeLessThan(Math.min(sym.totals.states, por.totals.states));
    expect([none.totals.states, sym.totals.states, por.totals.states, both.totals.states]).toMatchInlineSnapshot(`
      [
        1220390,
        918966,
        796266,
        603504,
      ]
    `);
  });

  it('agree at one thread and three calls too', async () => {
    const selection = parseSelection({ threads: 1, calls: 3 });
    const none = await verify({ selection, workers: 0, reductions: { symmetry: false, por: false } });
    const both = await verify({ selection, workers: 0 });
    expect(verdicts(both)).toEqual(verdicts(none));
  });
});
