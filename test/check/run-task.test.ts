/**
 * executeRun under a state limit: with partial-order reduction the shortest
 * counterexamples come from a second, unreduced search, which explores more
 * states than the first. When the limit stops that search before it hits a
 * violation the first one found, the run must say it was cut, never report
 * fewer violations as complete.
 */
import { describe, expect, it } from 'vitest';
import { executeRun } from '../../src/check/run-task.ts';
import { buildMatrix, type RunTask } from '../../src/check/matrix.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { PROPERTIES } from '../../properties/index.ts';

const props = PROPERTIES.map((p) => p.id);

describe('executeRun with a state limit', () => {
  it('reports a run whose counterexample search was cut as incomplete, keeping no partial verdict as complete', () => {
    // the dma-direct entry points only: the matrix these run numbers were pinned on
    const entryPoints = 'dma_direct_alloc,dma_direct_free,dma_direct_alloc_pages,dma_direct_free_pages,dma_direct_mmap,dma_direct_map_phys,dma_direct_unmap_phys';
    const tasks = buildMatrix(parseSelection({ versions: 'baseline', entryPoints, threads: 2, calls: 2 })).tasks as RunTask[];
    const cut: number[] = [];
    for (const task of tasks.slice(800, 900)) {
      const full = executeRun(task, { properties: props });
      expect(full.complete).toBe(true);
      if (full.violations.length === 0) continue;
      // enough for the reduced search, too few for the unreduced one in some runs
      const limited = executeRun(task, { properties: props, explore: { maxStates: full.states } });
      if (limited.complete) {
        expect(limited.violations).toEqual(full.violations);
      } else {
        expect(limited.stopReason).toBe('max-states');
        cut.push(task.index);
      }
    }
    // pinned: the runs whose unreduced search the limit stops before it hits every violation the reduced one found
    expect(cut).toEqual([843, 845, 848, 853, 855, 858, 863, 865, 868, 873, 875, 878, 883, 885, 888, 893, 895, 898]);
  });
});

describe('executeRun with a memory limit', () => {
  it('keeps the explorer tables and the step memo together within maxBytes', () => {
    const sel = parseSelection({
      versions: 'baseline', platforms: 'cca', device: 'coherent=0,pool=none,gfp=blocking,nkm=0',
      entryPoints: 'dma_direct_alloc,dma_direct_free,dma_direct_mmap', threads: 3, calls: 8,
    });
    const tasks = buildMatrix(sel).tasks;
    const task = tasks[tasks.length - 1]!;
    for (const maxBytes of [256 * 1024, 1 << 20, 4 << 20]) {
      const r = executeRun(task, { properties: props, explore: { maxBytes }, reductions: { symmetry: false, por: false } });
      expect({ complete: r.complete, stopReason: r.stopReason }).toEqual({ complete: false, stopReason: 'max-bytes' });
      expect(r.bytesUsed).toBeLessThanOrEqual(maxBytes);
      expect(r.bytesUsed).toBeGreaterThan(maxBytes / 2);
    }
  });
});
