/**
 * The checker explores collapsed states and replays reused thread steps
 * (src/check/collapse.ts) instead of asking the model for every (state,
 * thread). Exploring with and without them must give the same states,
 * transitions, goals and shortest paths.
 */
import { describe, expect, it } from 'vitest';
import type { CheckableSystem } from '../../src/core/checkable-system.ts';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/core/explorer.ts';
import { pooledBytes } from '../../src/core/buffer-pool.ts';
import { dmaSystem, exploreDma, type Reductions } from '../../src/check/dma-system.ts';
import { ObsKind } from '../../models/observation.ts';
import { buildMatrix, specOf, type RunTask } from '../../src/check/matrix.ts';
import { parseSelection } from '../../src/check/selection.ts';
import { CollapsedSystem, CollapseOverflow } from '../../src/check/collapse.ts';
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
      const collapsed = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por });
      const bare = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por }, { stepMemo: false });
      const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
      const list = (sys: typeof bare, s: Uint8Array) => {
        const out: string[] = [];
        sys.successors(s, (next, action, goals) => out.push(`${hex(sys.modelState(next))} ${action} ${goals}`));
        return out.join('\n');
      };
      // the same list handed over as words (the explorer's path for codes of at most 8 bytes)
      const sinkList = (s: Uint8Array) => {
        const words = new Int32Array(2);
        new Uint8Array(words.buffer).set(s);
        const out: string[] = [];
        collapsed.successorsToSink!(words, 1, {
          push(w0, w1, action, goals, which) {
            expect(which).toBe(0);
            const next = new Uint8Array(Int32Array.of(w0, w1).buffer, 0, collapsed.stateBytes);
            out.push(`${hex(collapsed.modelState(next))} ${action} ${goals}`);
          },
        });
        return out.join('\n');
      };
      let checked = 0;
      // walk the reachable codes of the collapsed system; compare each one's successor list with the
      // model's from the decoded state, three times (a miss, then hits), as bytes and as words
      // (every other state has its miss as words)
      const walker: CheckableSystem = {
        stateBytes: collapsed.stateBytes,
        goalCount: collapsed.goalCount,
        initialStates: (emit) => collapsed.initialStates(emit),
        successors(s, emit) {
          const want = list(bare, collapsed.modelState(s));
          if (checked % 2 === 0) expect(sinkList(s)).toBe(want);
          expect(list(collapsed, s)).toBe(want);
          expect(list(collapsed, s)).toBe(want);
          expect(sinkList(s)).toBe(want);
          checked++;
          collapsed.successors(s, emit);
        },
      };
      const r = explore(walker, { symmetry: false });
      expect(checked).toBe(r.states);
      expect(r.states).toBeGreaterThan(1000);
      expect(collapsed.memo!.hits).toBeGreaterThan(collapsed.memo!.misses);
    }
  });

  it('give every reachable state its own code, and decode it back', () => {
    const collapsed = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false });
    // model state -> its code; a state reached under two codes would be explored twice
    const seen = new Map<string, string>();
    explore({
      stateBytes: collapsed.stateBytes,
      goalCount: collapsed.goalCount,
      initialStates: (emit) => collapsed.initialStates(emit),
      successors(s, emit) {
        const code = Buffer.from(s).toString('hex');
        const state = Buffer.from(collapsed.modelState(s)).toString('hex');
        if (seen.has(state)) expect(seen.get(state)).toBe(code);
        seen.set(state, code);
        collapsed.successors(s, emit);
      },
    }, { symmetry: false });
    // as many distinct model states as the model's own exploration has: no two states share a code
    const bare = explore(dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false }), { symmetry: false });
    expect(seen.size).toBe(bare.states);
    expect(collapsed.stateBytes).toBe(8);
    expect(collapsed.model.stateBytes).toBeGreaterThan(collapsed.stateBytes);
  });

  it('stay exact when the memo is full and stops growing', () => {
    const model = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false }).model;
    // goal bit k: the step made an observation of kind k
    const kinds = (obs: readonly Observation[], n: number) => {
      let g = 0;
      for (let i = 0; i < n; i++) g |= 1 << obs[i]!.kind;
      return g;
    };
    const memo = new CollapsedSystem(model, 16, kinds, false, false, 16, 32 * 1024);
    const base = { stateBytes: model.stateBytes, goalCount: 16, initialStates: (emit: (s: Uint8Array) => void) => { const s = new Uint8Array(model.stateBytes); model.initial(s); emit(s); } };
    type Emit = (n: Uint8Array, a: number, g: number) => void;
    const a = explore(memo, { symmetry: false });
    const b = explore({ ...base, successors: (s: Uint8Array, emit: Emit) => model.successors(s, (n, act, obs, k) => emit(n, act, kinds(obs, k))) }, { symmetry: false });
    expect(summary(a)).toBe(summary(b));
    expect(memo.bytesUsed()).toBeLessThan(256 * 1024);
    expect(memo.misses).toBeGreaterThan(2 * memo.entries);
  });

  it('hand codes of at most 8 bytes over as words, in every layout of 1-3 threads and 16- or 32-bit numbers', () => {
    const bare = (spec: RunSpec) => explore(dmaSystem(spec, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false }), { symmetry: false });
    const sizes: string[] = [];
    for (const threads of [1, 2, 3]) {
      const spec: RunSpec = { ...SHARED_POOL_3, programs: SHARED_POOL_3.programs.slice(0, threads) };
      const want = summary(bare(spec));
      for (const idWidth of [16, 32] as const) {
        const sys = dmaSystem(spec, PROPERTIES, { symmetry: false, por: false }, { idWidth });
        sizes.push(`${threads}x${idWidth}: ${sys.stateBytes} ${sys.successorsToSink ? 'words' : 'bytes'}`);
        expect(summary(explore(sys, { symmetry: false }))).toBe(want);
      }
    }
    expect(sizes).toEqual(['1x16: 4 words', '1x32: 8 words', '2x16: 6 words', '2x32: 12 bytes', '3x16: 8 words', '3x32: 16 bytes']);
  });

  it('canonicalize a code to the code of the canonical model state, also when the code was canonicalized before', () => {
    // three CPUs with one program: every thread permutation is a symmetry
    const prog = SHARED_POOL_3.programs[0]!;
    const spec: RunSpec = { ...SHARED_POOL_3, programs: [prog, prog, prog] };
    const sys = dmaSystem(spec, PROPERTIES, { symmetry: true, por: false });
    expect(sys.stateBytes).toBe(8);
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const canonicalModel = (code: Uint8Array) => {
      const m = sys.modelState(code);
      sys.model.canonicalize(m);
      return hex(m);
    };
    const seen = new Map<string, number>();
    let changed = 0;
    // every successor code of every reachable (unreduced) state, in BFS order: the same codes come back
    // again and again, some after their cache slot went to another code
    explore({
      stateBytes: sys.stateBytes,
      goalCount: sys.goalCount,
      initialStates: (emit) => sys.initialStates(emit),
      successors(s, emit) {
        sys.successors(s, (next, action, goals) => {
          const code = next.slice();
          const want = canonicalModel(code);
          sys.canonicalize!(code);
          expect(hex(sys.modelState(code))).toBe(want);
          if (hex(code) !== hex(next)) changed++;
          seen.set(hex(next), (seen.get(hex(next)) ?? 0) + 1);
          emit(next, action, goals);
        });
      },
    }, { symmetry: false });
    const repeats = [...seen.values()].filter((n) => n > 1).length;
    // more codes than the 4096 cache slots (5378), most seen more than once, many not canonical
    expect(seen.size).toBeGreaterThan(4096);
    expect(repeats).toBeGreaterThan(1000);
    expect(changed).toBeGreaterThan(1000);
  });

  it('give the same results as words and as bytes, with reductions and under every limit', () => {
    // the same system without successorsToSink: the explorer takes its successors as bytes
    const asBytes = (sys: CheckableSystem): CheckableSystem => ({
      stateBytes: sys.stateBytes,
      goalCount: sys.goalCount,
      initialStates: (emit) => sys.initialStates(emit),
      successors: (st, emit) => sys.successors(st, emit),
      successorsOfMany: (w, c, emit) => sys.successorsOfMany!(w, c, emit),
      ...(sys.canonicalize ? { canonicalize: (st: Uint8Array) => sys.canonicalize!(st) } : {}),
    });
    const limits: ExploreOptions[] = [{}, { maxStates: 700 }, { maxBytes: 40_000, initialCapacity: 16 }, { stopWhenAllGoals: true }];
    const stops = new Set<string>();
    for (const threads of [1, 3]) {
      const spec: RunSpec = { ...SHARED_POOL_3, programs: SHARED_POOL_3.programs.slice(0, threads) };
      for (const reductions of [{}, { symmetry: false, por: false }]) {
        for (const idWidth of [16, 32] as const) {
          for (const o of limits) {
            const options = { ...o, symmetry: reductions.symmetry !== false, concretize: false };
            // every property's goals, or (to stop when all goals are hit) one: a call returned
            const make = (): CheckableSystem => {
              if (!o.stopWhenAllGoals) return dmaSystem(spec, PROPERTIES, reductions, { idWidth });
              const model = dmaSystem(spec, PROPERTIES, reductions, { stepMemo: false }).model;
              const returned = (obs: readonly Observation[], n: number) => (obs.slice(0, n).some((x) => x.kind === ObsKind.RETURN) ? 1 : 0);
              return new CollapsedSystem(model, 1, returned, reductions.por !== false, reductions.symmetry !== false, idWidth);
            };
            const words = make();
            if (threads === 3 && idWidth === 32) expect(words.successorsToSink).toBeUndefined();
            const a = explore(words, options);
            const b = explore(asBytes(make()), options);
            expect(summary(a)).toBe(summary(b));
            expect([a.complete, a.stopReason]).toEqual([b.complete, b.stopReason]);
            if (a.stopReason) stops.add(a.stopReason);
          }
        }
      }
    }
    expect([...stops].sort()).toEqual(['all-goals', 'max-bytes', 'max-states']);
  });

  it('refuse to be used after their arrays were handed back for reuse', () => {
    const sys = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false });
    const first = summary(explore(sys, { symmetry: false }));
    const pooled = pooledBytes();
    sys.release();
    expect(pooledBytes()).toBeGreaterThan(pooled);
    expect(() => explore(sys, { symmetry: false })).toThrow(/used after release/);
    // a new system of the same thread gets the memory back and explores the same space
    const again = dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false });
    expect(summary(explore(again, { symmetry: false }))).toBe(first);
  });

  it('explore with 32-bit numbers exactly like with 16-bit ones, and widen when 16 bits run out', () => {
    for (const reductions of [{ symmetry: false, por: false }, {}]) {
      const narrow = explore(dmaSystem(SHARED_POOL_3, PROPERTIES, reductions), { symmetry: reductions.symmetry !== false });
      const wide = explore(dmaSystem(SHARED_POOL_3, PROPERTIES, reductions, { idWidth: 32 }), { symmetry: reductions.symmetry !== false });
      expect(summary(wide)).toBe(summary(narrow));
    }
    const model = dmaSystem(SHARED_POOL_3, PROPERTIES, {}, { stepMemo: false }).model;
    // 16-bit numbers name at most 65536 page vectors; this run has far fewer: lower the limit to force the overflow
    const tiny = new CollapsedSystem(model, 16, () => 0, false, false, 16, undefined, 10);
    expect(() => explore(tiny, { symmetry: false })).toThrow(CollapseOverflow);
    const widened = exploreDma((tuning) => dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false }, { ...tuning, idLimit: 10 }), { symmetry: false });
    expect(summary(widened)).toBe(summary(explore(dmaSystem(SHARED_POOL_3, PROPERTIES, { symmetry: false, por: false }, { stepMemo: false }), { symmetry: false })));
  });

  it('refuses a model whose successors have no whole words underneath (it reads them as words)', () => {
    const model = dmaSystem(SHARED_POOL_3, PROPERTIES, {}, { stepMemo: false }).model;
    const sys = new CollapsedSystem(model, 16, () => 0, false, false);
    expect(explore(sys, { symmetry: false }).states).toBeGreaterThan(1);
    // the same successors, one byte into a buffer of their own size
    const own = model.threadSuccessors.bind(model);
    model.threadSuccessors = (state, t, emit) => own(state, t, (next, action, obs, n) => {
      const shifted = new Uint8Array(new ArrayBuffer(next.length + 1), 1, next.length);
      shifted.set(next);
      emit(shifted, action, obs, n);
    });
    const odd = new CollapsedSystem(model, 16, () => 0, false, false);
    expect(() => explore(odd, { symmetry: false })).toThrow(/without whole words underneath/);
  });
});
