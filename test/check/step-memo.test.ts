/**
 * The checker replays reused thread steps (src/check/step-memo.ts) instead
 * of asking the model for every (state, thread). Exploring with and without
 * them must give the same states, transitions, goals and shortest paths.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreResult } from '../../src/core/explorer.ts';
import { dmaSystem, type Reductions } from '../../src/check/dma-system.ts';
import { buildMatrix, specOf, type RunTask } from '../../src/check/matrix.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { StepMemo } from '../../src/check/step-memo.ts';
import { PROPERTIES } from '../../properties/index.ts';
import type { Observation } from '../../models/observation.ts';
import type { RunSpec } from '../../models/run.ts';
import { platformById } from '../../models/platforms.ts';
import { versionById } from '../../models/versions.ts';

const summary = (r: ExploreResult) => JSON.stringify([r.states, r.transitions, r.maxDepth, r.goals.map((g) => g && [g.depth, g.actions])]);

function exploreWith(spec: RunSpec, reductions: Reductions, stepMemo: boolean): ExploreResult {
  return explore(dmaSystem(spec, PROPERTIES, reductions, { stepMemo }), { symmetry: reductions.symmetry !== false });
}

/** Three CPUs sharing one restricted pool on CCA: every thread step depends on the pages the others hold. */
const SHARED_POOL_3: RunSpec = {
  version: versionById('baseline')!,
  platform: platformById('cca')!,
  device: { coherent: false, pool: 'shared', gfp: 'blocking', nkm: false },
  programs: [
    ['dma_direct_alloc', 'dma_direct_mmap', 'dma_direct_free'],
    ['dma_direct_alloc_pages', 'dma_direct_free_pages', 'dma_direct_alloc'],
    ['dma_direct_alloc', 'dma_direct_free', 'dma_direct_alloc'],
  ],
};

describe('reused thread steps', () => {
  it('explore every run of a small matrix exactly like the model (all platforms and devices, two versions)', () => {
    const tasks: RunTask[] = buildMatrix(parseSelection({ versions: 'baseline,v2-p4', threads: 2, calls: 2 })).tasks as RunTask[];
    expect(tasks.length).toBeGreaterThan(1000);
    let states = 0;
    for (const task of tasks) {
      for (const reductions of [{ symmetry: false, por: false }, {}]) {
        const spec = specOf(task);
        const a = exploreWith(spec, reductions, true);
        const b = exploreWith(spec, reductions, false);
        if (summary(a) !== summary(b)) expect({ task, reductions, memo: summary(a) }).toEqual({ task, reductions, memo: summary(b) });
        states += a.states;
      }
    }
    expect(states).toBeGreaterThan(10_000);
  });

  it('emit the same successors, actions and goals as the model in every reachable state of a three-thread run', () => {
    for (const por of [false, true]) {
      const withMemo = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por }, { stepMemo: true });
      const bare = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por }, { stepMemo: false });
      const list = (sys: typeof bare, s: Uint8Array) => {
        const out: string[] = [];
        sys.successors(s, (next, action, goals) => out.push(`${Buffer.from(next).toString('hex')} ${action} ${goals}`));
        return out.join('\n');
      };
      let checked = 0;
      // walk the reachable states of the bare system; compare each state's successor list twice (a miss, then a hit)
      const recorder = {
        ...bare,
        successors(s: Uint8Array, emit: (n: Uint8Array, a: number, g: number) => void) {
          const want = list(bare, s);
          expect(list(withMemo, s)).toBe(want);
          expect(list(withMemo, s)).toBe(want);
          checked++;
          bare.successors(s, emit);
        },
      };
      const r = explore(recorder, { symmetry: false });
      expect(checked).toBe(r.states);
      expect(r.states).toBeGreaterThan(1000);
      expect(withMemo.memo!.hits).toBeGreaterThan(withMemo.memo!.misses);
    }
  });

  it('stay exact when the memo is full and stops growing', () => {
    const model = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false }).model;
    // goal bit k: the step made an observation of kind k
    const kinds = (obs: readonly Observation[], n: number) => {
      let g = 0;
      for (let i = 0; i < n; i++) g |= 1 << obs[i]!.kind;
      return g;
    };
    const memo = new StepMemo(model, kinds, 32 * 1024);
    const base = { stateBytes: model.stateBytes, goalCount: 16, initialStates: (emit: (s: Uint8Array) => void) => { const s = new Uint8Array(model.stateBytes); model.initial(s); emit(s); } };
    type Emit = (n: Uint8Array, a: number, g: number) => void;
    const a = explore({ ...base, successors: (s: Uint8Array, emit: Emit) => memo.successors(s, emit, false) }, { symmetry: false });
    const b = explore({ ...base, successors: (s: Uint8Array, emit: Emit) => model.successors(s, (n, act, obs, k) => emit(n, act, kinds(obs, k))) }, { symmetry: false });
    expect(summary(a)).toBe(summary(b));
    expect(memo.bytesUsed()).toBeLessThan(64 * 1024);
    expect(memo.misses).toBeGreaterThan(2 * memo.entries);
  });
});
