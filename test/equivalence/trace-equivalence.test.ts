import { describe, expect, it } from 'vitest';
import { checkTraceEquivalence } from '../../src/equivalence/trace-equivalence.ts';
import {
  CYCLE_VS_BOUNDED, DIFFER_AT_3, LATE_VS_EARLY_CHOICE, SAME_TRACES_DIFFERENT_INSIDE, SHORTEST_WINS, toySystem, type ToyLts,
} from '../fixtures/toy-equivalence.ts';

const check = (pair: { a: ToyLts; b: ToyLts }, opts = {}) => checkTraceEquivalence(toySystem(pair.a), toySystem(pair.b), opts);

/** The labels a side's path produces, in order. */
const produced = (steps: readonly { labels: readonly string[] }[]) => steps.flatMap((s) => s.labels);

describe('trace equivalence on toy systems', () => {
  it('finds the difference at depth 3 as a distinguishing trace of exactly length 3', () => {
    const r = check(DIFFER_AT_3);
    expect(r.equivalent).toBe(false);
    expect(r.complete).toBe(true);
    const d = r.difference!;
    expect(d.word).toEqual(['a', 'b', 'd']);
    expect(d.onlyIn).toBe('A');
    expect(d.otherCanDo).toEqual(['c', 'e']);
    expect(d.otherInstead).toBe('c');
    // A produces the whole sequence; B the common prefix, then what it does instead.
    expect(produced(d.a.steps)).toEqual(['a', 'b', 'd']);
    expect(produced(d.b.steps)).toEqual(['a', 'b', 'c']);
    expect(d.a.steps.map((s) => s.at)).toEqual([0, 1, 2]);
  });

  it('shows the internal steps of the side that takes them, each at the position of the next label', () => {
    const viaTau: ToyLts = { initial: [0], edges: [[0, [], 7], [7, ['a'], 8], [8, [], 4], [4, ['b'], 5], [5, [], 9], [9, ['e'], 6]] };
    const direct: ToyLts = { initial: [0], edges: [[0, ['a'], 4], [4, ['b'], 5], [5, ['d'], 6]] };
    const d = check({ a: viaTau, b: direct }).difference!;
    expect(d.word).toEqual(['a', 'b', 'd']);
    expect(d.onlyIn).toBe('B');
    expect(d.otherInstead).toBe('e');
    expect(d.a.steps.map((s) => [s.labels.join(','), s.at])).toEqual([['', 0], ['a', 0], ['', 1], ['b', 1], ['', 2], ['e', 2]]);
    expect(d.b.steps.map((s) => [s.labels.join(','), s.at])).toEqual([['a', 0], ['b', 1], ['d', 2]]);
  });

  it('reports a shortest difference when a longer one exists on another branch', () => {
    const r = check(SHORTEST_WINS);
    expect(r.difference!.word).toEqual(['y', 'y', 'late']);
    expect(r.difference!.onlyIn).toBe('A');
    expect(r.difference!.otherCanDo).toEqual(['soon']);
  });

  it('reports a pair with different internal structure (tau steps, a tau cycle, an atomic two-label step) as equivalent', () => {
    const r = check(SAME_TRACES_DIFFERENT_INSIDE);
    expect(r).toMatchObject({ equivalent: true, complete: true });
    expect(r.difference).toBeUndefined();
    expect(r.statesA).toBe(3);
    expect(r.statesB).toBe(10);
  });

  it('compares traces, not branching structure: a·(b+c) equals a·b + a·c', () => {
    expect(check(LATE_VS_EARLY_CHOICE)).toMatchObject({ equivalent: true, complete: true, pairs: 4 });
  });

  it('terminates on cycles and finds the fourth tick', () => {
    const r = check(CYCLE_VS_BOUNDED);
    expect(r.difference!.word).toEqual(['tick', 'tick', 'tick', 'tick']);
    expect(r.difference!.onlyIn).toBe('A');
    expect(r.difference!.otherCanDo).toEqual([]);
    expect(r.difference!.otherInstead).toBeUndefined();
    expect(r.difference!.b.steps).toHaveLength(3);
  });

  it('tells a difference inside an atomic two-label step', () => {
    const r = check({ a: { initial: [0], edges: [[0, ['a', 'b'], 1]] }, b: { initial: [0], edges: [[0, ['a', 'c'], 1]] } });
    expect(r.difference!.word).toEqual(['a', 'b']);
    expect(r.difference!.a.steps.map((s) => s.labels)).toEqual([['a', 'b']]);
    expect(r.difference!.b.steps.map((s) => s.labels)).toEqual([['a', 'c']]);
  });

  it('finds every system equivalent to itself', () => {
    for (const pair of [DIFFER_AT_3, SHORTEST_WINS, SAME_TRACES_DIFFERENT_INSIDE, LATE_VS_EARLY_CHOICE, CYCLE_VS_BOUNDED])
      for (const lts of [pair.a, pair.b]) expect(check({ a: lts, b: lts }).equivalent).toBe(true);
  });

  it('stops at the pair bound and says the answer is incomplete', () => {
    const r = check(CYCLE_VS_BOUNDED, { maxPairs: 2 });
    expect(r).toMatchObject({ equivalent: true, complete: false });
  });
});
