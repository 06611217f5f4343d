/**
 * Mainline v7.3 on the default matrix: per (property, platform) the verdict,
 * the violating runs (effective / latent) and the shortest counterexample's
 * length, pinned in test/fixtures/v73-verdicts.json so that a model change
 * shows as a diff of that file (`npx vitest run test/check/v73-verdicts.test.ts -u`
 * rewrites it after a deliberate change).
 */
import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';

describe('v7.3 on the default matrix', () => {
  it('has the pinned verdicts and counterexample lengths per property and platform', async () => {
    const r = await verify({ selection: parseSelection({ versions: 'v7.3' }), workers: 2 });
    expect(r.complete).toBe(true);
    const rows: string[] = [];
    for (const res of r.results) {
      const platforms = [...new Set(res.violations.map((g) => g.platform))];
      if (platforms.length === 0) rows.push(`${res.property}: holds`);
      for (const p of platforms) {
        const groups = res.violations.filter((g) => g.platform === p);
        const eff = groups.filter((g) => g.severity === 'effective').reduce((n, g) => n + g.runs, 0);
        const lat = groups.filter((g) => g.severity === 'latent').reduce((n, g) => n + g.runs, 0);
        const depth = Math.min(...groups.map((g) => g.depth));
        rows.push(`${res.property} on ${p}: violated in ${groups.length} device configuration(s), ${eff} effective / ${lat} latent run(s), shortest ${depth} step(s)`);
      }
    }
    await expect(`${JSON.stringify({ runs: r.totals.runs, states: r.totals.states, verdicts: rows }, null, 1)}\n`).toMatchFileSnapshot('../fixtures/v73-verdicts.json');
  });
});
