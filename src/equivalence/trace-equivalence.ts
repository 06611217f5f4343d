/**
 * Trace equivalence of two labelled systems with internal steps hidden,
 * decided on the fly, breadth-first, stopping at the first difference.
 *
 * Each side is determinized lazily (subset construction): a macro state is
 * the set of concrete positions the side can be in after a sequence of
 * observable labels, closed under internal (tau) steps. A concrete position
 * is a state, or a state plus the labels of a multi-label step still to be
 * seen. Every state is accepting (a run may stop anywhere), so the two
 * systems have the same traces iff, in every pair of macro states reachable
 * by the same label sequence, both sides enable the same labels (the
 * Hopcroft–Karp style check on the product of the two determinized
 * automata; pairs are deduplicated by identity, without HKC's congruence
 * closure — the sets are small).
 *
 * Pairs are expanded in BFS order, and the labels of a pair in sorted
 * order, so the first label enabled on one side only ends a shortest
 * distinguishing sequence (fewest observable labels), and the same one on
 * every run. The concrete paths shown for it are shortest paths (in steps)
 * that produce the sequence on each side.
 */
import type { LabelledSystem } from './labelled-system.ts';

export interface EquivalenceOptions {
  /** Stop (complete: false) rather than explore more product pairs than this. */
  readonly maxPairs?: number;
}

/** One concrete step of a side's path. */
export interface PathStep {
  readonly action: number;
  /** every observable label of the step (empty for an internal step) */
  readonly labels: readonly string[];
  /** index in the sequence of the step's first label; for an internal step, of the next label */
  readonly at: number;
}

export interface SidePath {
  /** which initial state the path starts from, in emit order */
  readonly initialIndex: number;
  readonly steps: readonly PathStep[];
}

export interface Difference {
  /** the shortest distinguishing sequence: all but the last label are common to both sides */
  readonly word: readonly string[];
  /** the side that can produce the whole sequence */
  readonly onlyIn: 'A' | 'B';
  /** labels the other side can produce after the common prefix (sorted) */
  readonly otherCanDo: readonly string[];
  /** of those, the one closest to the differing label (shown against it), if any */
  readonly otherInstead?: string;
  /** A's path: for `word` if A produces it, else for the common prefix then `otherInstead` */
  readonly a: SidePath;
  readonly b: SidePath;
}

export interface EquivalenceResult {
  /** no difference found (a proof within the bound iff `complete`) */
  readonly equivalent: boolean;
  readonly complete: boolean;
  /** product pairs explored */
  readonly pairs: number;
  /** concrete states discovered on each side */
  readonly statesA: number;
  readonly statesB: number;
  readonly difference?: Difference;
}

/** Labels and label sequences, interned; shared by both sides so ids compare. */
class LabelTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  readonly seqs: number[][] = [];
  /** sequences of two or more labels by their joined text; one-label sequences by label id */
  private readonly seqIds = new Map<string, number>();
  private readonly single: number[] = [];

  label(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  /** Id of a non-empty label sequence. */
  seq(labels: readonly string[]): number {
    if (labels.length === 1) {
      const l = this.label(labels[0]!);
      let id = this.single[l];
      if (id === undefined) {
        id = this.seqs.length;
        this.seqs.push([l]);
        this.single[l] = id;
      }
      return id;
    }
    const key = labels.join('\u0000');
    let id = this.seqIds.get(key);
    if (id === undefined) {
      id = this.seqs.length;
      this.seqs.push(labels.map((l) => this.label(l)));
      this.seqIds.set(key, id);
    }
    return id;
  }

  byName = (x: number, y: number): number => (this.names[x]! < this.names[y]! ? -1 : this.names[x]! > this.names[y]! ? 1 : 0);
}

/** Successors of one concrete state: parallel arrays, in emit order; seq -1 = internal step. */
interface StepList {
  readonly next: number[];
  readonly action: number[];
  readonly seq: number[];
}

/** Outgoing transitions of a macro state: labels sorted by name, with target macro states. */
interface MacroOut {
  readonly labels: number[];
  readonly targets: number[];
  /** the labels in the order the side's steps offer them (emit order), for presentation */
  readonly offered: number[];
}

function keyOf(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

/** One side: its concrete states, concrete positions (elements) and macro states, built on demand. */
class Side {
  private readonly stateIds = new Map<string, number>();
  private readonly bytes: Uint8Array[] = [];
  private readonly succ: (StepList | undefined)[] = [];
  /** initial state ids in emit order (duplicates kept, so indices match emit order) */
  readonly initial: number[] = [];
  /** element of each state with nothing pending (most elements), and of the others by key */
  private readonly plainElem: number[] = [];
  private readonly elemIds = new Map<string, number>();
  private readonly elState: number[] = [];
  private readonly elSeq: number[] = [];
  private readonly elOff: number[] = [];
  private readonly macroIds = new Map<string, number>();
  private readonly macroElems: number[][] = [];
  private readonly macroOut: (MacroOut | undefined)[] = [];
  /** macro state of the closure of each single element, once computed */
  private readonly singleMacro: number[] = [];

  constructor(private readonly sys: LabelledSystem, private readonly labels: LabelTable) {
    sys.initialStates((s) => this.initial.push(this.state(s)));
  }

  get stateCount(): number {
    return this.bytes.length;
  }

  private state(s: Uint8Array): number {
    const k = keyOf(s);
    let id = this.stateIds.get(k);
    if (id === undefined) {
      id = this.bytes.length;
      this.bytes.push(s.slice());
      this.succ.push(undefined);
      this.stateIds.set(k, id);
    }
    return id;
  }

  steps(id: number): StepList {
    let l = this.succ[id];
    if (!l) {
      l = this.filling = { next: [], action: [], seq: [] };
      this.sys.successors(this.bytes[id]!, this.onSuccessor);
      this.succ[id] = l;
    }
    return l;
  }

  /** The list `steps` is filling, and the one callback that fills it (no closure per call). */
  private filling: StepList = { next: [], action: [], seq: [] };
  private readonly onSuccessor = (next: Uint8Array, action: number, labels: readonly string[]): void => {
    this.filling.next.push(this.state(next));
    this.filling.action.push(action);
    this.filling.seq.push(labels.length ? this.labels.seq(labels) : -1);
  };

  /** Element: state `s` with the labels of sequence `seq` from `off` still to be seen (seq -1: none). */
  elem(s: number, seq: number, off: number): number {
    if (seq < 0 || off >= this.labels.seqs[seq]!.length) {
      const id = this.plainElem[s];
      return id !== undefined ? id : (this.plainElem[s] = this.newElem(s, -1, 0));
    }
    const k = `${s},${seq},${off}`;
    const id = this.elemIds.get(k);
    if (id !== undefined) return id;
    const e = this.newElem(s, seq, off);
    this.elemIds.set(k, e);
    return e;
  }

  private newElem(s: number, seq: number, off: number): number {
    this.elState.push(s);
    this.elSeq.push(seq);
    this.elOff.push(off);
    return this.elState.length - 1;
  }

  /** The label an element with pending labels shows next, or -1. */
  pending(e: number): number {
    const seq = this.elSeq[e]!;
    return seq < 0 ? -1 : this.labels.seqs[seq]![this.elOff[e]!]!;
  }

  /** After `pending(e)` is seen. */
  afterPending(e: number): number {
    return this.elem(this.elState[e]!, this.elSeq[e]!, this.elOff[e]! + 1);
  }

  /** After a visible step `i` of state s: its first label is seen. */
  afterStep(list: StepList, i: number): number {
    return this.elem(list.next[i]!, list.seq[i]!, 1);
  }

  stateOf(e: number): number {
    return this.elState[e]!;
  }

  /** Macro state of the tau-closure of `elems`. */
  macro(elems: readonly number[]): number {
    if (elems.length !== 1) return this.close(elems);
    // Most targets are one element (the sides are mostly deterministic): cache its closure.
    const e = elems[0]!;
    const hit = this.singleMacro[e];
    return hit !== undefined ? hit : (this.singleMacro[e] = this.close(elems));
  }

  private close(elems: readonly number[]): number {
    if (elems.length === 1 && !this.hasTau(elems[0]!)) return this.intern(elems as number[], String(elems[0]));
    const set = new Set<number>(elems);
    const work = [...set];
    while (work.length) {
      const e = work.pop()!;
      if (this.elSeq[e]! >= 0) continue;
      const l = this.steps(this.elState[e]!);
      for (let i = 0; i < l.next.length; i++) {
        if (l.seq[i] !== -1) continue;
        const t = this.elem(l.next[i]!, -1, 0);
        if (!set.has(t)) { set.add(t); work.push(t); }
      }
    }
    const sorted = set.size === 1 ? [...set] : [...set].sort(ascending);
    return this.intern(sorted, sorted.length === 1 ? String(sorted[0]) : sorted.join(','));
  }

  /** Whether an element can take an internal step. */
  private hasTau(e: number): boolean {
    if (this.elSeq[e]! >= 0) return false;
    const l = this.steps(this.elState[e]!);
    for (let i = 0; i < l.seq.length; i++) if (l.seq[i] === -1) return true;
    return false;
  }

  /** The macro state of a sorted, tau-closed element set with key `k`. */
  private intern(sorted: number[], k: string): number {
    let id = this.macroIds.get(k);
    if (id === undefined) {
      id = this.macroElems.length;
      this.macroElems.push(sorted);
      this.macroOut.push(undefined);
      this.macroIds.set(k, id);
    }
    return id;
  }

  initialMacro(): number {
    return this.macro(this.initial.map((s) => this.elem(s, -1, 0)));
  }

  out(m: number): MacroOut {
    let o = this.macroOut[m];
    if (o) return o;
    // Targets grouped by label, labels in the order offered (a handful per macro state).
    const offered: number[] = [];
    const groups: number[][] = [];
    const add = this.addTarget;
    for (const e of this.macroElems[m]!) {
      const p = this.pending(e);
      if (p >= 0) { add(offered, groups, p, this.afterPending(e)); continue; }
      const l = this.steps(this.elState[e]!);
      for (let i = 0; i < l.next.length; i++) {
        const seq = l.seq[i]!;
        if (seq >= 0) add(offered, groups, this.labels.seqs[seq]![0]!, this.afterStep(l, i));
      }
    }
    const order = offered.map(indexOf).sort((x, y) => this.labels.byName(offered[x]!, offered[y]!));
    const labels: number[] = [];
    const targets: number[] = [];
    for (const i of order) {
      labels.push(offered[i]!);
      targets.push(this.macro(groups[i]!));
    }
    o = { labels, targets, offered };
    this.macroOut[m] = o;
    return o;
  }

  private readonly addTarget = (offered: number[], groups: number[][], label: number, target: number): void => {
    const i = offered.indexOf(label);
    if (i >= 0) groups[i]!.push(target);
    else {
      offered.push(label);
      groups.push([target]);
    }
  };

  /**
   * A shortest concrete path (fewest steps) producing exactly `word`, from
   * an initial state. The word must be a trace of this side.
   */
  path(word: readonly string[]): SidePath {
    const ids = word.map((w) => this.labels.label(w));
    const n = ids.length;
    interface Node { e: number; pos: number; parent: number; step?: PathStep; initialIndex: number }
    const nodes: Node[] = [];
    const seen = new Set<string>();
    const push = (e: number, pos: number, parent: number, initialIndex: number, step?: PathStep) => {
      const k = `${e}:${pos}`;
      if (seen.has(k)) return;
      seen.add(k);
      nodes.push(step ? { e, pos, parent, step, initialIndex } : { e, pos, parent, initialIndex });
    };
    this.initial.forEach((s, i) => push(this.elem(s, -1, 0), 0, -1, i));
    for (let q = 0; q < nodes.length; q++) {
      const { e, pos, initialIndex } = nodes[q]!;
      if (pos === n) {
        const steps: PathStep[] = [];
        for (let x = q; x >= 0; x = nodes[x]!.parent) if (nodes[x]!.step) steps.push(nodes[x]!.step!);
        return { initialIndex, steps: steps.reverse() };
      }
      const p = this.pending(e);
      if (p >= 0) {
        if (p === ids[pos]) push(this.afterPending(e), pos + 1, q, initialIndex);
        continue;
      }
      const l = this.steps(this.elState[e]!);
      for (let i = 0; i < l.next.length; i++) {
        const seq = l.seq[i]!;
        const labels = seq < 0 ? [] : this.labels.seqs[seq]!.map((x) => this.labels.names[x]!);
        const step: PathStep = { action: l.action[i]!, labels, at: pos };
        if (seq < 0) push(this.elem(l.next[i]!, -1, 0), pos, q, initialIndex, step);
        else if (this.labels.seqs[seq]![0] === ids[pos]) push(this.afterStep(l, i), pos + 1, q, initialIndex, step);
      }
    }
    throw new Error(`trace-equivalence: no path produces [${word.join(' | ')}] (not a trace of this side)`);
  }
}

const ascending = (x: number, y: number): number => x - y;
const indexOf = (_: unknown, i: number): number => i;

function commonPrefix(x: string, y: string): number {
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

/** Decide whether `a` and `b` have the same observable traces; on a difference, a shortest one. */
export function checkTraceEquivalence(a: LabelledSystem, b: LabelledSystem, opts: EquivalenceOptions = {}): EquivalenceResult {
  const maxPairs = opts.maxPairs ?? Infinity;
  const labels = new LabelTable();
  const A = new Side(a, labels);
  const B = new Side(b, labels);
  const pairA: number[] = [];
  const pairB: number[] = [];
  const parent: number[] = [];
  const via: number[] = [];
  const seen = new Map<string, number>();
  const addPair = (ma: number, mb: number, from: number, label: number): void => {
    const k = `${ma},${mb}`;
    if (seen.has(k)) return;
    seen.set(k, pairA.length);
    pairA.push(ma);
    pairB.push(mb);
    parent.push(from);
    via.push(label);
  };
  addPair(A.initialMacro(), B.initialMacro(), -1, -1);
  const result = (equivalent: boolean, complete: boolean, difference?: Difference): EquivalenceResult => ({
    equivalent, complete, pairs: pairA.length, statesA: A.stateCount, statesB: B.stateCount, ...(difference ? { difference } : {}),
  });
  for (let i = 0; i < pairA.length; i++) {
    if (i >= maxPairs) return result(true, false);
    const oa = A.out(pairA[i]!);
    const ob = B.out(pairB[i]!);
    let x = 0;
    let y = 0;
    while (x < oa.labels.length || y < ob.labels.length) {
      const la = oa.labels[x];
      const lb = ob.labels[y];
      const c = la === undefined ? 1 : lb === undefined ? -1 : labels.byName(la, lb);
      if (c === 0) {
        addPair(oa.targets[x]!, ob.targets[y]!, i, la!);
        x++;
        y++;
        continue;
      }
      const onlyIn = c < 0 ? 'A' : 'B';
      const differing = labels.names[c < 0 ? la! : lb!]!;
      const prefix: string[] = [];
      for (let p = i; parent[p]! >= 0; p = parent[p]!) prefix.push(labels.names[via[p]!]!);
      prefix.reverse();
      const otherOut = onlyIn === 'A' ? ob : oa;
      const other = otherOut.labels.map((l) => labels.names[l]!);
      // Shown against the differing label: the other side's label closest to it
      // (longest common prefix: same thread, same kind of event), ties to the one its steps offer first.
      let instead: string | undefined;
      for (const l of otherOut.offered) {
        const o = labels.names[l]!;
        if (instead === undefined || commonPrefix(o, differing) > commonPrefix(instead, differing)) instead = o;
      }
      const word = [...prefix, differing];
      const otherWord = instead === undefined ? prefix : [...prefix, instead];
      return result(false, true, {
        word, onlyIn, otherCanDo: other, ...(instead !== undefined ? { otherInstead: instead } : {}),
        a: A.path(onlyIn === 'A' ? word : otherWord),
        b: B.path(onlyIn === 'B' ? word : otherWord),
      });
    }
  }
  return result(true, true);
}
