/**
 * The explorer's share of a run: record every successor a run emits, then
 * explore a system that only replays the recording. What remains is the
 * state store, hashing and the BFS queue: no run can be explored faster
 * than this, however fast the model steps.
 */
import type { CheckableSystem } from '../core/checkable-system.ts';
import { explore } from '../core/explorer.ts';

export interface Recording {
  readonly system: CheckableSystem;
  readonly states: number;
  readonly transitions: number;
}

/**
 * Explore `system` once and keep what it emitted; returns a system that
 * emits the same successors, in the same order, for the same BFS. (The
 * explorer expands states in index order, once each, so the k-th call of
 * `successors` is state k.)
 */
export function record(system: CheckableSystem): Recording {
  const sb = system.stateBytes;
  const words = (sb + 3) >>> 2;
  let next = new Int32Array(1 << 16);
  let actions = new Uint16Array(1 << 14);
  let goals = new Int32Array(1 << 14);
  let firsts = new Int32Array(1 << 14);
  let n = 0;
  let expanded = 0;
  const tmp = new Int32Array(words);
  const tmpBytes = new Uint8Array(tmp.buffer, 0, sb);
  const grow = <T extends Int32Array | Uint16Array>(a: T, need: number, make: (n: number) => T): T => {
    if (need <= a.length) return a;
    const b = make(Math.max(need, 2 * a.length));
    b.set(a);
    return b;
  };
  const recorder: CheckableSystem = {
    stateBytes: sb,
    goalCount: system.goalCount,
    initialStates: (emit) => system.initialStates(emit),
    successors(state, emit) {
      firsts = grow(firsts, expanded + 2, (k) => new Int32Array(k));
      firsts[expanded++] = n;
      system.successors(state, (s, action, g) => {
        next = grow(next, (n + 1) * words, (k) => new Int32Array(k));
        actions = grow(actions, n + 1, (k) => new Uint16Array(k));
        goals = grow(goals, n + 1, (k) => new Int32Array(k));
        tmpBytes.set(s); // the padding bytes of tmp are never written: they stay zero
        next.set(tmp, n * words);
        actions[n] = action;
        goals[n] = g;
        n++;
        emit(s, action, g);
      });
      firsts[expanded] = n;
    },
  };
  const r = explore(recorder, { symmetry: false });
  if (!r.complete) throw new Error('record: the run did not complete');
  const outWords = new Int32Array(words);
  const out = new Uint8Array(outWords.buffer, 0, sb);
  let k = 0;
  const replay: CheckableSystem = {
    stateBytes: sb,
    goalCount: system.goalCount,
    initialStates: (emit) => {
      k = 0;
      system.initialStates(emit);
    },
    successors(_state, emit) {
      const end = firsts[k + 1]!;
      for (let i = firsts[k]!; i < end; i++) {
        const o = i * words;
        for (let j = 0; j < words; j++) outWords[j] = next[o + j]!;
        emit(out, actions[i]!, goals[i]!);
      }
      k++;
    },
  };
  // the heavy run's system expands many states at once: so does its replay, so that the explorer's same path is timed
  if (system.successorsToSink && sb <= 8) {
    replay.successorsToSink = (_words, count, sink) => {
      for (let which = 0; which < count; which++) {
        const end = firsts[k + 1]!;
        for (let i = firsts[k]!; i < end; i++) sink.push(next[i * words]!, words > 1 ? next[i * words + 1]! : 0, actions[i]!, goals[i]!, which);
        k++;
      }
    };
  } else if (system.successorsOfMany) {
    replay.successorsOfMany = (_words, count, emit) => {
      for (let which = 0; which < count; which++) replay.successors(out, (n, a, g) => emit(n, a, g, which));
    };
  }
  return { system: replay, states: r.states, transitions: r.transitions };
}
