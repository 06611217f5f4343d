import { describe, expect, it } from 'vitest';
import type { CheckableSystem, WordSink } from '../../src/core/checkable-system.ts';
import { explore, replayPath } from '../../src/core/explorer.ts';
import type { ExploreOptions, ExploreProgress } from '../../src/core/explorer.ts';
import {
  CRITICAL,
  INC_X,
  INC_Y,
  makeAsymmetricWithBogusCanonicalize,
  makeCounters,
  makeRacyMutex,
  makeSymmetricCounters,
  readCounters,
} from '../fixtures/toy-counters.ts';

/** Naive reference BFS (JS Set of hex strings): states, transitions, shortest goal depths. */
function referenceBfs(system: CheckableSystem, symmetry: boolean) {
  const key = (s: Uint8Array): string => {
    const c = s.slice();
    if (symmetry && system.canonicalize) system.canonicalize(c);
    return Buffer.from(c).toString('hex');
  };
  const seen = new Set<string>();
  let frontier: Uint8Array[] = [];
  system.initialStates((s) => {
    const k = key(s);
    if (!seen.has(k)) {
      seen.add(k);
      const c = s.slice();
      if (symmetry && system.canonicalize) system.canonicalize(c);
      frontier.push(c);
    }
  });
  let transitions = 0;
  let maxDepth = 0;
  const goalDepth: Array<number | undefined> = new Array(system.goalCount).fill(undefined);
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: Uint8Array[] = [];
    for (const s of frontier) {
      system.successors(s, (n, _a, g) => {
        transitions++;
        for (let b = 0; b < system.goalCount; b++) if (g & (1 << b) && goalDepth[b] === undefined) goalDepth[b] = depth;
        const k = key(n);
        if (!seen.has(k)) {
          seen.add(k);
          const c = n.slice();
          if (symmetry && system.canonicalize) system.canonicalize(c);
          next.push(c);
          maxDepth = depth;
        }
      });
    }
    frontier = next;
  }
  return { states: seen.size, transitions, maxDepth, goalDepth };
}

function expectReplayRaises(system: CheckableSystem, hit: { bit: number; initialIndex: number; actions: number[] }) {
  const r = replayPath(system, hit.initialIndex, hit.actions);
  expect(r.states).toHaveLength(hit.actions.length + 1);
  expect(r.goals).toHaveLength(hit.actions.length);
  expect(r.goals[r.goals.length - 1]! & (1 << hit.bit)).not.toBe(0);
  // shortest: no earlier step raised it
  for (let i = 0; i < r.goals.length - 1; i++) expect(r.goals[i]! & (1 << hit.bit)).toBe(0);
  return r;
}


/** `system` as a plain CheckableSystem of the same states, steps and symmetry (no batch methods). */
function sameSystem(system: CheckableSystem): CheckableSystem {
  return {
    stateBytes: system.stateBytes,
    goalCount: system.goalCount,
    initialStates: (emit) => system.initialStates(emit),
    successors: (st, emit) => system.successors(st, emit),
    ...(system.canonicalize ? { canonicalize: (st: Uint8Array) => system.canonicalize!(st) } : {}),
  };
}

/** `system`'s successors of the `count` states packed in `words` as the explorer hands them over, with each state's index. */
function successorsOfWords(system: CheckableSystem, words: Int32Array, count: number, emit: (n: Uint8Array, a: number, g: number, which: number) => void): void {
  const sb = system.stateBytes;
  const sw = Math.ceil(sb / 4);
  for (let i = 0; i < count; i++) {
    const state = new Uint8Array(words.buffer, words.byteOffset + 4 * sw * i, sb).slice();
    system.successors(state, (n, a, g) => emit(n, a, g, i));
  }
}

describe('explore: two counters', () => {
  const N = 10;
  const sys = makeCounters({ n: N, bug: [3, 2] });

  it('visits exactly (N+1)^2 states with 2N(N+1) transitions', () => {
    const r = explore(sys);
    expect(r.states).toBe((N + 1) ** 2);
    expect(r.transitions).toBe(2 * N * (N + 1));
    expect(r.maxDepth).toBe(2 * N);
    expect(r.complete).toBe(true);
    expect(r.stopReason).toBeUndefined();
    expect(r.hashCompact).toBe(false);
    expect(r.omissionProbability).toBe(0);
    expect(r.bytesUsed).toBeGreaterThan(0);
    expect(r.goals).toHaveLength(2);
  });

  it('finds the planted bug by the first shortest path in BFS order', () => {
    const r = explore(sys);
    // depth-4 states in BFS order: (4,0), (3,1), (2,2), ... -> (3,1) raises it first via INC_Y;
    // (3,1) was reached from (3,0), itself on the x axis.
    expect(r.goals[0]).toEqual({ bit: 0, depth: 5, initialIndex: 0, actions: [INC_X, INC_X, INC_X, INC_Y, INC_Y] });
    expect(r.goals[1]).toBeUndefined();
    const replay = expectReplayRaises(sys, r.goals[0]!);
    expect(readCounters(replay.states[5]!)).toEqual([3, 2]);
    expect(replay.goals).toEqual([0, 0, 0, 0, 1]);
  });

  it('is deterministic across runs', () => {
    expect(explore(sys)).toEqual(explore(sys));
  });

  it('agrees with a naive reference BFS', () => {
    const r = explore(sys);
    const ref = referenceBfs(sys, false);
    expect(r.states).toBe(ref.states);
    expect(r.transitions).toBe(ref.transitions);
    expect(r.maxDepth).toBe(ref.maxDepth);
    expect(r.goals.map((g) => g?.depth)).toEqual(ref.goalDepth);
  });

  it('works with padded ~20-byte states across many store growths', () => {
    const big = makeCounters({ n: 300, bug: [299, 7], stateBytes: 20 });
    const r = explore(big, { initialCapacity: 16 });
    expect(r.states).toBe(301 * 301);
    expect(r.goals[0]!.depth).toBe(306);
    expect(r.goals[0]!.actions.filter((a) => a === INC_X)).toHaveLength(299);
    expectReplayRaises(big, r.goals[0]!);
    // 20-byte states: <= 26 * ARENA_GROWTH (1.4) + 4 / (MAX_LOAD / 2) + batch buffers
    expect(r.bytesUsed / r.states).toBeLessThanOrEqual(48);
  });

  it('deduplicates initial states; initialIndex counts emitted duplicates', () => {
    const s = makeCounters({ n: N, bug: [1, 1], initial: [[0, 0], [0, 0], [1, 0]] });
    const r = explore(s);
    expect(r.states).toBe((N + 1) ** 2);
    expect(r.goals[0]).toEqual({ bit: 0, depth: 1, initialIndex: 2, actions: [INC_Y] });
    const replay = expectReplayRaises(s, r.goals[0]!);
    expect(readCounters(replay.states[0]!)).toEqual([1, 0]);
  });

  it('stops cleanly at maxStates', () => {
    const r = explore(sys, { maxStates: 50 });
    expect(r.complete).toBe(false);
    expect(r.stopReason).toBe('max-states');
    expect(r.states).toBe(50);
    expect(r.goals[0]!.depth).toBe(5); // found before the limit
    const tiny = explore(sys, { maxStates: 5 });
    expect(tiny.states).toBe(5);
    expect(tiny.complete).toBe(false);
    expect(tiny.goals[0]).toBeUndefined();
    expect(explore(sys, { maxStates: (N + 1) ** 2 }).complete).toBe(true);
  });

  it('stops cleanly at maxBytes without exceeding it', () => {
    const s = makeCounters({ n: 100, bug: [50, 50] });
    const maxBytes = 20_000;
    const r = explore(s, { maxBytes, initialCapacity: 16 });
    expect(r.complete).toBe(false);
    expect(r.stopReason).toBe('max-bytes');
    expect(r.bytesUsed).toBeLessThanOrEqual(maxBytes);
    expect(r.states).toBeGreaterThan(100);
    expect(r.states).toBeLessThan(101 * 101);
    const full = explore(s, { maxBytes: 10_000_000, initialCapacity: 16 });
    expect(full.complete).toBe(true);
    expect(full.states).toBe(101 * 101);
  });

  it('stopWhenAllGoals stops at the last goal', () => {
    const s: CheckableSystem = { ...makeCounters({ n: 100, bug: [3, 2] }), goalCount: 1 };
    const r = explore(s, { stopWhenAllGoals: true });
    expect(r.complete).toBe(false);
    expect(r.stopReason).toBe('all-goals');
    expect(r.goals[0]!.actions).toEqual([INC_X, INC_X, INC_X, INC_Y, INC_Y]);
    expect(r.states).toBeLessThan(30);
    // with an unreachable goal bit it explores everything
    const r2 = explore(makeCounters({ n: 100, bug: [3, 2] }), { stopWhenAllGoals: true });
    expect(r2.complete).toBe(true);
    expect(r2.states).toBe(101 * 101);
  });

  it('reports progress every 2^16 expansions', () => {
    const seen: ExploreProgress[] = [];
    const r = explore(makeCounters({ n: 400, bug: [1, 1] }), { onProgress: (p) => seen.push(p) });
    expect(r.states).toBe(401 * 401);
    expect(seen).toHaveLength(Math.floor((401 * 401) / 65536));
    expect(seen[1]!.states).toBeGreaterThan(seen[0]!.states);
    expect(seen[1]!.transitions).toBeGreaterThan(seen[0]!.transitions);
    expect(seen[1]!.depth).toBeGreaterThan(seen[0]!.depth);
  });

  it('hash-compact mode gives the same counts and goals', () => {
    const s = makeCounters({ n: 200, bug: [150, 3], stateBytes: 20 });
    const exact = explore(s);
    const hc = explore(s, { hashCompact: true, initialCapacity: 16 });
    expect(hc.hashCompact).toBe(true);
    expect(hc.states).toBe(201 * 201);
    expect(hc.transitions).toBe(exact.transitions);
    expect(hc.maxDepth).toBe(exact.maxDepth);
    expect(hc.goals).toEqual(exact.goals);
    expect(hc.omissionProbability).toBe((hc.states * (hc.states - 1)) / 2 ** 65);
    expect(hc.bytesUsed).toBeLessThan(exact.bytesUsed);
    const stopped = explore(s, { hashCompact: true, maxStates: 1000 });
    expect(stopped.states).toBe(1000);
    expect(stopped.stopReason).toBe('max-states');
  });
});

describe('explore: BFS levels wider than the internal batch', () => {
  /** Counters with a shortcut: DOUBLE (x -> 2x) makes path lengths differ. */
  function withShortcut(n: number, bug: [number, number]): CheckableSystem {
    const base = makeCounters({ n, bug, stateBytes: 8 });
    const out = new Uint8Array(8);
    return {
      ...base,
      successors(state, emit) {
        base.successors(state, emit);
        const [x, y] = readCounters(state);
        if (x > 0 && 2 * x <= n) {
          out.set(state);
          out[0] = (2 * x) & 0xff;
          out[1] = (2 * x) >> 8;
          for (let j = 4; j < 8; j++) out[j] = (2 * x * 31 + y * 17 + j * 7) & 0xff;
          emit(out, 2, 2 * x === bug[0] && y === bug[1] ? 1 : 0);
        }
      },
    };
  }

  it('keeps exact BFS depths (shortest paths) when levels span many batches', () => {
    const s = withShortcut(300, [256, 250]);
    const r = explore(s);
    const ref = referenceBfs(s, false);
    expect(r.states).toBe(301 * 301);
    expect(r.transitions).toBe(ref.transitions);
    expect(r.maxDepth).toBe(ref.maxDepth);
    expect(r.goals.map((g) => g?.depth)).toEqual(ref.goalDepth);
    // 1 INC_X, 8 DOUBLEs, 250 INC_Ys = 259 < 256 + 250
    expect(r.goals[0]!.depth).toBe(259);
    expectReplayRaises(s, r.goals[0]!);
  });

  it('handles a single expansion emitting more successors than a batch', () => {
    const N = 5000;
    const fan: CheckableSystem = {
      stateBytes: 2,
      goalCount: 1,
      initialStates: (emit) => emit(Uint8Array.of(0, 0)),
      successors(st, emit) {
        const v = st[0]! | (st[1]! << 8);
        const out = new Uint8Array(2);
        for (let d = 1; d <= 1000 && v + d <= N; d++) {
          out[0] = (v + d) & 0xff;
          out[1] = (v + d) >> 8;
          emit(out, d, v + d === N ? 1 : 0);
        }
      },
    };
    const r = explore(fan);
    const ref = referenceBfs(fan, false);
    expect(r.states).toBe(N + 1);
    expect(r.transitions).toBe(ref.transitions);
    expect(r.maxDepth).toBe(ref.maxDepth);
    expect(r.maxDepth).toBe(5);
    expect(r.goals[0]!.depth).toBe(5);
    expect(r.goals[0]!.actions).toEqual([1000, 1000, 1000, 1000, 1000]);
  });
});

describe('explore: how the system hands over states', () => {
  /** Re-emit every state from a fresh array, or from an odd offset of a shared buffer. */
  function restyle(system: CheckableSystem, style: 'fresh' | 'unaligned' | 'moving'): CheckableSystem {
    const big = new Uint8Array(system.stateBytes * 4 + 8);
    const odd = big.subarray(3, 3 + system.stateBytes); // one reused view, unaligned
    let turn = 0;
    const wrap = (s: Uint8Array): Uint8Array => {
      if (style === 'fresh') return s.slice();
      if (style === 'unaligned') {
        odd.set(s);
        return odd;
      }
      const off = (turn++ % 3) * system.stateBytes; // a new view each time
      const v = big.subarray(off, off + system.stateBytes);
      v.set(s);
      return v;
    };
    return {
      stateBytes: system.stateBytes,
      goalCount: system.goalCount,
      initialStates: (emit) => system.initialStates((s) => emit(wrap(s))),
      successors: (st, emit) => system.successors(st, (n, a, g) => emit(wrap(n), a, g)),
    };
  }

  for (const sb of [4, 6, 20, 23]) {
    it(`gives identical results for reused, fresh, unaligned and moving buffers (stateBytes ${sb})`, () => {
      const base = makeCounters({ n: 30, bug: [7, 9], stateBytes: sb });
      const expected = explore(base);
      expect(expected.states).toBe(31 * 31);
      expect(expected.goals[0]!.depth).toBe(16);
      for (const style of ['fresh', 'unaligned', 'moving'] as const) {
        const r = explore(restyle(base, style));
        expect(r).toEqual(expected);
      }
      const ref = referenceBfs(base, false);
      expect(expected.transitions).toBe(ref.transitions);
    });
  }

  /** The same system, expanding many states per call (from the words it is handed) and counting the calls. */
  function batched(system: CheckableSystem): CheckableSystem & { calls: number; largest: number } {
    const out = {
      ...sameSystem(system),
      calls: 0,
      largest: 0,
      successorsOfMany(words: Int32Array, count: number, emit: (n: Uint8Array, a: number, g: number, which: number) => void) {
        out.calls++;
        out.largest = Math.max(out.largest, count);
        successorsOfWords(system, words, count, emit);
      },
    };
    return out;
  }

  for (const sb of [4, 6, 8, 20, 23]) {
    it(`gives identical results when the system expands many states at once (stateBytes ${sb})`, () => {
      const base = makeCounters({ n: 40, bug: [7, 9], stateBytes: sb });
      for (const hashCompact of [false, true]) {
        const expected = explore(base, { hashCompact });
        const many = batched(base);
        expect(explore(many, { hashCompact })).toEqual(expected);
        expect(many.largest).toBeGreaterThan(1);
        expect(many.calls).toBeLessThan(expected.states);
      }
    });
  }

  it('gives identical results when the system expands many states at once (symmetry, goals, progress)', () => {
    const base = makeSymmetricCounters(30, [3, 12]);
    const expected = explore(base);
    const many = batched(base);
    expect(explore(many)).toEqual(expected);
    expect(many.calls).toBeLessThan(expected.states);
    const seenA: ExploreProgress[] = [];
    const seenB: ExploreProgress[] = [];
    const big = makeCounters({ n: 400, bug: [1, 1] });
    expect(explore(batched(big), { onProgress: (p) => seenB.push(p) })).toEqual(explore(big, { onProgress: (p) => seenA.push(p) }));
    expect(seenB.length).toBe(seenA.length);
  });
});

describe('explore: successors handed over as words (successorsToSink)', () => {
  /** The same system, handing successors over as two words each and counting the calls. */
  function sinked(system: CheckableSystem): CheckableSystem & { calls: number; pushes: number } {
    const pad = new Uint8Array(8);
    const padWords = new Int32Array(pad.buffer);
    const out = {
      ...sameSystem(system),
      calls: 0,
      pushes: 0,
      successorsToSink(words: Int32Array, count: number, sink: WordSink) {
        out.calls++;
        successorsOfWords(system, words, count, (n, a, g, i) => {
          pad.fill(0);
          pad.set(n);
          out.pushes++;
          sink.push(padWords[0]!, padWords[1]!, a, g, i);
        });
      },
    };
    return out;
  }

  for (const sb of [4, 6, 8]) {
    it(`gives identical results, limits and progress included (stateBytes ${sb})`, () => {
      const base = makeCounters({ n: 40, bug: [7, 9], stateBytes: sb });
      const options: ExploreOptions[] = [{}, { maxStates: 50 }, { maxStates: 5 }, { maxBytes: 20_000, initialCapacity: 16 }, { initialCapacity: 16 }];
      for (const o of options) {
        const sys = sinked(base);
        const expected = explore(base, o);
        expect(explore(sys, o)).toEqual(expected);
        expect(sys.calls).toBeGreaterThan(0);
        expect(sys.calls).toBeLessThan(expected.states);
        // every successor is handed over once (a cut run hands over the rest of its group of states too)
        if (expected.complete) expect(sys.pushes).toBe(expected.transitions);
        else expect(sys.pushes).toBeGreaterThanOrEqual(expected.transitions);
      }
      const partial = explore(sinked(base), { maxStates: 50 });
      expect(partial.complete).toBe(false);
      expect(partial.stopReason).toBe('max-states');
      expect(partial.states).toBe(50);
      const tight = explore(sinked(base), { maxBytes: 20_000, initialCapacity: 16 });
      expect(tight.stopReason).toBe('max-bytes');
      expect(tight.bytesUsed).toBeLessThanOrEqual(20_000);
      // the all-zero initial state counts once, though an all-zero table slot means empty
      expect(explore(sinked(base)).states).toBe(41 * 41);
      const oneGoal: CheckableSystem = { ...base, goalCount: 1 };
      const early = explore(sinked(oneGoal), { stopWhenAllGoals: true });
      expect(early).toEqual(explore(oneGoal, { stopWhenAllGoals: true }));
      expect(early.stopReason).toBe('all-goals');
      // hash compaction stores fingerprints, not words: the system is asked the usual way
      const compact = sinked(base);
      expect(explore(compact, { hashCompact: true })).toEqual(explore(base, { hashCompact: true }));
      expect(compact.calls).toBe(0);
    });
  }

  it('stops where the byte path stops when a level is wider than a batch (limits hit in the middle of a batch)', () => {
    // levels of up to 400 successors: a 256-successor batch fills while a group of 64 states is being expanded
    const base = makeCounters({ n: 200, bug: [150, 120] });
    const oneGoal: CheckableSystem = { ...base, goalCount: 1 };
    const cases: Array<[CheckableSystem, ExploreOptions, string | undefined]> = [
      [base, {}, undefined],
      [base, { maxStates: 1000 }, 'max-states'],
      [base, { maxStates: 12_345 }, 'max-states'],
      [base, { maxStates: 33_333 }, 'max-states'],
      [base, { maxBytes: 400_000 }, 'max-bytes'],
      [oneGoal, { stopWhenAllGoals: true }, 'all-goals'],
    ];
    for (const [sys, o, reason] of cases) {
      const words = explore(sinked(sys), o);
      expect(words).toEqual(explore(sys, o));
      expect(words.stopReason).toBe(reason);
    }
    expect(explore(sinked(base)).states).toBe(201 * 201);
    expect(explore(sinked(oneGoal), { stopWhenAllGoals: true }).goals[0]!.depth).toBe(270);
  });

  /** x in 0..n-1 in byte 0 of `sb` bytes; steps to x+1 and x+2 mod n; starts at 1, so the all-zero state is a successor. */
  function makeRing(n: number, sb: number): CheckableSystem {
    const out = new Uint8Array(sb);
    return {
      stateBytes: sb,
      goalCount: 1,
      initialStates: (emit) => {
        out.fill(0);
        out[0] = 1;
        emit(out);
      },
      successors: (st, emit) => {
        for (const d of [1, 2]) {
          out.fill(0);
          out[0] = (st[0]! + d) % n;
          emit(out, d, out[0] === 0 ? 1 : 0);
        }
      },
    };
  }

  it('stores the all-zero state reached as a successor once, and refuses it at a limit, like the byte path', () => {
    for (const sb of [1, 3, 4, 5, 7, 8]) {
      const ring = makeRing(5, sb);
      for (const o of [{}, { maxStates: 4 }, { maxStates: 5 }]) expect(explore(sinked(ring), o)).toEqual(explore(ring, o));
      const all = explore(sinked(ring));
      expect(all.states).toBe(5);
      expect(all.goals[0]!.actions).toEqual([2, 2]);
      const cut = explore(sinked(ring), { maxStates: 4 }); // states 1, 2, 3, 4: the zero state is the one refused
      expect(cut.stopReason).toBe('max-states');
      expect(cut.states).toBe(4);
    }
  });

  it('ignores bits past stateBytes in the words pushed', () => {
    for (const sb of [3, 4, 6]) {
      const base = makeCounters({ n: 20, bug: [7, 9], stateBytes: Math.max(sb, 4) });
      const ring = sb < 4 ? makeRing(5, sb) : base;
      const clean = sinked(ring);
      const dirty: CheckableSystem = {
        ...clean,
        successorsToSink: (w: Int32Array, c: number, sink: WordSink) =>
          clean.successorsToSink!(w, c, { push: (w0, w1, a, g, which) => sink.push(sb < 4 ? w0 | (0x7f << 24) : w0, w1 | (sb === 4 ? 0x5a5a : 0x5a5a0000), a, g, which) }),
      };
      expect(explore(dirty)).toEqual(explore(ring));
    }
  });

  it('is not used for states of more than 8 bytes', () => {
    const base = makeCounters({ n: 20, bug: [7, 9], stateBytes: 12 });
    const sys = sinked(base);
    expect(explore(sys)).toEqual(explore(base));
    expect(sys.calls).toBe(0);
  });

  it('gives identical results under symmetry and with progress reports', () => {
    const base = makeSymmetricCounters(30, [3, 12]);
    expect(base.stateBytes).toBeLessThanOrEqual(8);
    const sys = sinked(base);
    expect(explore(sys)).toEqual(explore(base));
    expect(sys.calls).toBeGreaterThan(0);
    const big = makeCounters({ n: 400, bug: [1, 1] });
    const seenA: ExploreProgress[] = [];
    const seenB: ExploreProgress[] = [];
    expect(explore(sinked(big), { onProgress: (p) => seenB.push(p) })).toEqual(explore(big, { onProgress: (p) => seenA.push(p) }));
    // the same reports at the same depths (counts may differ: the word path expands 64 states between two progress checks)
    expect(seenB.map((p) => p.depth)).toEqual(seenA.map((p) => p.depth));
    expect(seenA.length).toBeGreaterThan(1);
  });

  it('rejects an action out of range and goal bits beyond goalCount', () => {
    const base = makeCounters({ n: 5, bug: [1, 1] });
    const bad = (action: number, goals: number): CheckableSystem => ({
      ...base,
      successorsToSink: (_w: Int32Array, _c: number, sink: WordSink) => sink.push(1, 0, action, goals, 0),
    });
    expect(() => explore(bad(70_000, 0))).toThrow(/action 70000 is not in 0\.\.65535/);
    expect(() => explore(bad(1, 4))).toThrow(/goal mask 0x4 outside goalCount=2/);
  });
});

describe('explore: symmetry reduction', () => {
  it('symmetric counters: (N+1)(N+2)/2 canonical states, same goal depths', () => {
    const N = 10;
    const s = makeSymmetricCounters(N, [3, 2]);
    const full = explore(s, { symmetry: false });
    const red = explore(s);
    expect(full.states).toBe((N + 1) ** 2);
    expect(red.states).toBe(((N + 1) * (N + 2)) / 2);
    expect(red.transitions).toBe(120); // 65 x-steps + 55 y-steps from the 66 states a <= b
    expect(red.maxDepth).toBe(full.maxDepth);
    expect(red.goals.map((g) => g?.depth)).toEqual([5, undefined]);
    expect(full.goals.map((g) => g?.depth)).toEqual([5, undefined]);
    expect(full.goals[0]!.actions).toEqual([0, 0, 0, 1, 1]);
    const replay = expectReplayRaises(s, red.goals[0]!);
    expect([...replay.states[5]!].sort()).toEqual([2, 3]);
    const ref = referenceBfs(s, true);
    expect(red.states).toBe(ref.states);
    expect(red.transitions).toBe(ref.transitions);
  });

  it('racy mutex: 13 states, 8 orbits, the race found at depth 4 either way', () => {
    const s = makeRacyMutex();
    const full = explore(s, { symmetry: false });
    const red = explore(s);
    expect(full.states).toBe(13);
    expect(red.states).toBe(8);
    expect(full.goals[1]).toBeUndefined();
    expect(red.goals[1]).toBeUndefined();
    // P0 tests, P1 tests, P0 sets, P1 sets
    expect(full.goals[0]).toEqual({ bit: 0, depth: 4, initialIndex: 0, actions: [0, 3, 1, 4] });
    expect(red.goals[0]!.depth).toBe(4);
    const replay = expectReplayRaises(s, red.goals[0]!);
    expect([...replay.states[4]!]).toEqual([CRITICAL, CRITICAL, 1]);
    for (const sym of [false, true]) {
      const ref = referenceBfs(s, sym);
      const r = sym ? red : full;
      expect(r.states).toBe(ref.states);
      expect(r.transitions).toBe(ref.transitions);
      expect(r.goals.map((g) => g?.depth)).toEqual(ref.goalDepth);
    }
    const hc = explore(s, { hashCompact: true });
    expect(hc.states).toBe(8);
    expect(hc.goals).toEqual(red.goals);
  });

  it('detects a canonicalize that is not a symmetry when building the trace', () => {
    const s = makeAsymmetricWithBogusCanonicalize();
    expect(() => explore(s)).toThrow(/not a symmetry/);
    const r = explore(s, { symmetry: false });
    expect(r.states).toBe(4);
    expect(r.goals[0]).toEqual({ bit: 0, depth: 3, initialIndex: 0, actions: [0, 0, 0] });
  });
});

describe('replayPath', () => {
  const sys = makeCounters({ n: 2, bug: [2, 2] });

  it('re-executes the actions and reports the goal masks', () => {
    const r = replayPath(sys, 0, [INC_X, INC_Y, INC_X, INC_Y]);
    expect(r.states.map((s) => readCounters(s))).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
    expect(r.goals).toEqual([0, 0, 0, 1]);
    expect(r.states[1]).not.toBe(r.states[2]); // copies, not the system's reused buffer
  });

  it('throws naming the step when an action is not available', () => {
    expect(() => replayPath(sys, 0, [INC_X, INC_X, INC_X])).toThrow(/step 3 of 3: action 0 is not available/);
    expect(() => replayPath(sys, 0, [7])).toThrow(/step 1/);
    expect(() => replayPath(sys, 1, [])).toThrow(/initial state 1 does not exist/);
  });
});

describe('explore: contract checks', () => {
  it('rejects goal bits beyond goalCount and wrongly sized states', () => {
    const base = makeCounters({ n: 3, bug: [1, 1] });
    expect(() => explore({ ...base, goalCount: 0 })).toThrow(/outside goalCount/);
    const bad: CheckableSystem = {
      stateBytes: 2,
      goalCount: 0,
      initialStates: (emit) => emit(new Uint8Array(2)),
      successors: (_s, emit) => emit(new Uint8Array(3), 0, 0),
    };
    expect(() => explore(bad)).toThrow(/3 bytes/);
    expect(() => explore({ ...bad, goalCount: 33 })).toThrow(RangeError);
  });

  it('handles goal bit 31', () => {
    const s: CheckableSystem = {
      stateBytes: 1,
      goalCount: 32,
      initialStates: (emit) => emit(Uint8Array.of(0)),
      successors: (st, emit) => {
        if (st[0]! < 5) emit(Uint8Array.of(st[0]! + 1), 9, st[0] === 4 ? 1 << 31 : 0);
      },
    };
    const r = explore(s, { stopWhenAllGoals: true });
    expect(r.complete).toBe(true);
    expect(r.states).toBe(6);
    expect(r.goals[31]).toEqual({ bit: 31, depth: 5, initialIndex: 0, actions: [9, 9, 9, 9, 9] });
    expect(r.goals.filter((g) => g !== undefined)).toHaveLength(1);
  });
});
