/**
 * The versions that existed before v7.3 keep their behaviour on the scope
 * they were checked on: the seven dma_direct_* entry points at the default
 * bound give the verdicts, violating-run counts, counterexample lengths and
 * state counts recorded before v7.3 and the new scope were added
 * (test/fixtures/old-scope-verdicts.json, from commit 6d83b7d).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';

const PINNED = JSON.parse(readFileSync(new URL('../fixtures/old-scope-verdicts.json', import.meta.url), 'utf8')) as {
  selection: { versions: string[] };
  totals: { runs: number; states: number };
  stateCounts: Record<string, Record<string, number>>;
  results: { version: string; property: string; verdict: string; violatingRuns: unknown; groups: string[] }[];
};

const OLD_ENTRY_POINTS = 'dma_direct_alloc,dma_direct_free,dma_direct_alloc_pages,dma_direct_free_pages,dma_direct_mmap,dma_direct_map_phys,dma_direct_unmap_phys';

describe('older versions on the old scope', () => {
  it('keep every verdict, run count, counterexample length and state count they had', async () => {
    const selection = parseSelection({ versions: PINNED.selection.versions.join(','), entryPoints: OLD_ENTRY_POINTS });
    const r = await verify({ selection, workers: 2 });
    expect(r.totals.runs).toBe(PINNED.totals.runs);
    expect(r.totals.states).toBe(PINNED.totals.states);
    expect(r.stateCounts).toEqual(PINNED.stateCounts);
    const got = r.results.map((p) => ({
      version: p.version, property: p.property, verdict: p.verdict, violatingRuns: p.violatingRuns,
      groups: p.violations.map((g) => `${g.platform} ${g.device} ${g.severity} runs=${g.runs} depth=${g.depth}`),
    }));
    expect(got).toEqual(PINNED.results);
  });
});
