/**
 * xstate is the semantics, not the inner loop: each distinct
 * (machine, state, context, event) step is computed once with xstate's pure
 * `transition()` and reused. Contexts are packed into bits (INPUT_KEYS then
 * LOCAL_KEYS), so the number of distinct steps stays tiny.
 */
import { createActor, initialTransition, transition } from 'xstate';
import { transitionId, type TransitionLike } from './coverage.ts';
import {
  INPUT_KEYS, LOCAL_KEYS, type DmaMachine, type MachineContext, type MachineInput, type MachineLocals, type StateMeta,
} from './machines/dma-setup.ts';
import { EVENT_ID, OUTCOME_EVENTS, type OutcomeEvent } from './vocabulary.ts';
import { MAX_MACHINE_STATES } from './world.ts';

export const INPUT_BITS = INPUT_KEYS.length;
// context bits (input bits | locals << INPUT_BITS) are one 31-bit number; a thread record keeps 8 bits of locals
if (INPUT_KEYS.length + LOCAL_KEYS.length > 31 || LOCAL_KEYS.length > 8) throw new Error('step-cache: too many context bits');

export function packInput(input: MachineInput): number {
  let bits = 0;
  INPUT_KEYS.forEach((k, i) => { if (input[k]) bits |= 1 << i; });
  return bits;
}

export function unpackInput(bits: number): MachineInput {
  return Object.fromEntries(INPUT_KEYS.map((k, i) => [k, (bits & (1 << i)) !== 0])) as unknown as MachineInput;
}

export function packLocals(ctx: MachineLocals): number {
  let bits = 0;
  LOCAL_KEYS.forEach((k, i) => { if (ctx[k]) bits |= 1 << i; });
  return bits;
}

export function unpackLocals(bits: number): MachineLocals {
  return Object.fromEntries(LOCAL_KEYS.map((k, i) => [k, (bits & (1 << i)) !== 0])) as unknown as MachineLocals;
}

/** Local bit masks, for the environment to read (e.g. the prot of a remap). */
export const LOCAL_BIT: Readonly<Record<keyof MachineLocals, number>> = Object.fromEntries(
  LOCAL_KEYS.map((k, i) => [k, 1 << i]),
) as Record<keyof MachineLocals, number>;

/** No entry (packed steps are >= -1). */
const ABSENT = -2;

/**
 * Packed steps by a two-word key (state << 8 | event, context bits): open
 * addressing over typed arrays (a Map costs several times more per lookup).
 */
class StepTable {
  private hi = new Int32Array(64);
  private lo = new Int32Array(64);
  private values = new Int32Array(64).fill(ABSENT);
  private size = 0;

  private slot(hi: number, lo: number): number {
    const h = Math.imul(Math.imul(hi, 0x9e3779b1) ^ lo, 0x85ebca6b);
    return (h ^ (h >>> 16)) & (this.values.length - 1);
  }

  get(hi: number, lo: number): number {
    const mask = this.values.length - 1;
    let i = this.slot(hi, lo);
    for (;;) {
      const v = this.values[i]!;
      if (v === ABSENT || (this.hi[i] === hi && this.lo[i] === lo)) return v;
      i = (i + 1) & mask;
    }
  }

  set(hi: number, lo: number, value: number): void {
    if (2 * (this.size + 1) > this.values.length) this.grow();
    const mask = this.values.length - 1;
    let i = this.slot(hi, lo);
    while (this.values[i] !== ABSENT && !(this.hi[i] === hi && this.lo[i] === lo)) i = (i + 1) & mask;
    if (this.values[i] === ABSENT) this.size++;
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.values[i] = value;
  }

  clear(): void {
    this.hi = new Int32Array(64);
    this.lo = new Int32Array(64);
    this.values = new Int32Array(64).fill(ABSENT);
    this.size = 0;
  }

  private grow(): void {
    const { hi, lo, values } = this;
    this.hi = new Int32Array(2 * values.length);
    this.lo = new Int32Array(2 * values.length);
    this.values = new Int32Array(2 * values.length).fill(ABSENT);
    this.size = 0;
    for (let i = 0; i < values.length; i++) if (values[i] !== ABSENT) this.set(hi[i]!, lo[i]!, values[i]!);
  }
}

/** A cached step numbers a state in 8 bits (`state | locals << 8`). */
export const MAX_STEP_STATES = 256;

/** A state the machine can rest in between steps: it waits for a call's outcome, or it is final. */
function isResting(node: { type?: string; on?: Record<string, unknown> }): boolean {
  return node.type === 'final' || Object.keys(node.on ?? {}).length > 0;
}

/**
 * State numbers. Only a resting state is ever stored in a thread record (a
 * step runs the eventless transitions through to the next resting state),
 * so those must number below MAX_MACHINE_STATES. A machine that fits whole
 * keeps its definition order; a larger one (an extracted machine, whose
 * decisions are states of their own) numbers its resting states first.
 */
function numberStates(states: Record<string, { type?: string; on?: Record<string, unknown> }>): string[] {
  const names = Object.keys(states);
  if (names.length <= MAX_MACHINE_STATES) return names;
  return [...names.filter((n) => isResting(states[n]!)), ...names.filter((n) => !isResting(states[n]!))];
}

/** A machine with its states numbered and its steps cached. */
export class CompiledMachine {
  readonly id: string;
  readonly stateNames: readonly string[];
  readonly metas: readonly StateMeta[];
  readonly finals: readonly boolean[];
  private readonly index = new Map<string, number>();
  private readonly steps = new StepTable();
  private readonly starts = new Map<number, number>();
  /** xstate evaluations done (cache misses), and cache hits */
  misses = 0;
  hits = 0;
  /** states and transitions (coverage.ts ids) that some cached step went through */
  readonly reached = new Set<string>();

  constructor(readonly machine: DmaMachine) {
    this.id = machine.id;
    const states = machine.states as Record<string, { meta?: StateMeta; type?: string; on?: Record<string, unknown> }>;
    this.stateNames = numberStates(states);
    this.stateNames.forEach((n, i) => this.index.set(n, i));
    this.metas = this.stateNames.map((n) => {
      const meta = states[n]!.meta;
      if (!meta?.source) throw new Error(`${this.id}.${n}: state without meta.source`);
      return meta;
    });
    this.finals = this.stateNames.map((n) => states[n]!.type === 'final');
    const resting = this.stateNames.filter((n) => isResting(states[n]!)).length;
    if (resting > MAX_MACHINE_STATES) {
      throw new Error(`${this.id}: too many states (${resting} where the machine waits or ends; a thread record numbers them in 6 bits, at most ${MAX_MACHINE_STATES})`);
    }
    if (this.stateNames.length > MAX_STEP_STATES) throw new Error(`${this.id}: too many states (${this.stateNames.length}; a cached step numbers them in 8 bits, at most ${MAX_STEP_STATES})`);
  }

  reset(): void {
    this.steps.clear();
    this.starts.clear();
    this.reached.clear();
  }

  stateIndex(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`${this.id}: no state ${name}`);
    return i;
  }

  /** First resting state (a call state or a final state) for these input bits: packed `state | locals << 8`. */
  start(inputBits: number): number {
    const hit = this.starts.get(inputBits);
    if (hit !== undefined) { this.hits++; return hit; }
    this.misses++;
    const input = unpackInput(inputBits);
    const [snap] = initialTransition(this.machine, input);
    const packed = this.pack(snap.value as string, snap.context);
    this.cover(undefined, input, undefined, snap.value as string);
    this.starts.set(inputBits, packed);
    return packed;
  }

  /**
   * Next resting state after `event` in `state` with context bits `ctx`
   * (input bits | locals << INPUT_BITS): packed `state | locals << 8`, or -1 if
   * the state has no transition for the event.
   */
  step(state: number, ctx: number, event: number): number {
    const hi = (state << 8) | event;
    const hit = this.steps.get(hi, ctx);
    if (hit !== ABSENT) { this.hits++; return hit; }
    this.misses++;
    const packed = this.evaluate(state, ctx, event);
    this.steps.set(hi, ctx, packed);
    return packed;
  }

  /** The uncached step, straight from xstate (used by the differential test). */
  evaluate(state: number, ctx: number, event: number): number {
    const context: MachineContext = { ...unpackInput(ctx & ((1 << INPUT_BITS) - 1)), ...unpackLocals(ctx >>> INPUT_BITS) };
    const snap = this.machine.resolveState({ value: this.stateNames[state]!, context });
    const type = OUTCOME_EVENTS[event] as OutcomeEvent;
    const [next] = transition(this.machine, snap, { type });
    if (next === snap || next.value === snap.value && next.context === snap.context) return -1;
    this.cover(snap, context, type, next.value as string);
    return this.pack(next.value as string, next.context);
  }

  /**
   * Record the states and transitions a step goes through, as xstate's
   * inspection reports its microsteps, and check that they end where
   * transition() ended.
   */
  private cover(from: ReturnType<DmaMachine['resolveState']> | undefined, input: MachineInput, type: OutcomeEvent | undefined, end: string): void {
    let last = from ? (from.value as string) : (this.machine.config.initial as string);
    this.reached.add(`state ${last}`);
    const actor = createActor(this.machine, {
      ...(from ? { snapshot: from } : {}),
      input,
      inspect: (ev) => {
        if (ev.type !== '@xstate.microstep') return;
        for (const t of (ev as unknown as { _transitions: TransitionLike[] })._transitions) {
          this.reached.add(transitionId(t));
          for (const target of t.target ?? []) {
            this.reached.add(`state ${target.key}`);
            last = target.key;
          }
        }
      },
    });
    actor.start();
    if (type) actor.send({ type });
    actor.stop();
    if (last !== end) throw new Error(`${this.id}: inspection ended in ${last}, transition() in ${end}`);
  }

  private pack(value: string, ctx: MachineContext): number {
    return this.stateIndex(value) | (packLocals(ctx) << 8);
  }

  /** Events a state has transitions for. */
  eventsOf(state: number): OutcomeEvent[] {
    const node = (this.machine.states as Record<string, { on?: Record<string, unknown> }>)[this.stateNames[state]!]!;
    return Object.keys(node.on ?? {}).filter((e): e is OutcomeEvent => e in EVENT_ID);
  }
}

const compiled = new WeakMap<DmaMachine, CompiledMachine>();
const allCompiled: CompiledMachine[] = [];

/** The compiled form of a machine, shared by every run in this thread. */
export function compile(machine: DmaMachine): CompiledMachine {
  let c = compiled.get(machine);
  if (!c) {
    c = new CompiledMachine(machine);
    compiled.set(machine, c);
    allCompiled.push(c);
  }
  return c;
}

/** Hits and misses of every compiled machine in this thread. */
export function cacheStats(): { hits: number; misses: number } {
  let hits = 0;
  let misses = 0;
  for (const c of allCompiled) {
    hits += c.hits;
    misses += c.misses;
  }
  return { hits, misses };
}

/**
 * Forget every cached step and the coverage recorded in this thread, so the
 * next exploration records exactly what it reaches. (Worker threads start
 * empty; an in-process run calls this first.)
 */
export function resetStepCaches(): void {
  for (const c of allCompiled) c.reset();
}
