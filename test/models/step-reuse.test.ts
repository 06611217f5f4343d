/**
 * xstate is the semantics; the checker reuses each distinct machine step
 * (models/step-cache.ts CompiledMachine.start/step). This drives random
 * paths through both, for every machine of every version, and requires the
 * same resting state, context and final status after every event.
 *
 * A path starts from random input bits and sends events the current state
 * has transitions for, with now and then an event it has none for (the
 * reused step must then say "no transition", and xstate must not move).
 *
 * xstate takes a few hundred microseconds a step, so paths start from a
 * pool of INPUT_POOL random input bit patterns per machine, and xstate's
 * answers are kept per (snapshot, event): snapshots are immutable, so a
 * path that repeats a prefix reads xstate's own earlier answer. Every
 * step of every path is compared.
 */
import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { DmaMachine, MachineContext } from '../../models/machines/dma-setup.ts';
import { compile, INPUT_BITS, unpackInput, unpackLocals, type CompiledMachine } from '../../models/step-cache.ts';
import { ENTRY_POINTS, VERSIONS } from '../../models/versions.ts';
import { EVENT_ID, OUTCOME_EVENTS, type OutcomeEvent } from '../../models/vocabulary.ts';

const PATHS_PER_MACHINE = 1000;
const MAX_EVENTS = 12;
const INPUT_POOL = 128;

type Snapshot = ReturnType<typeof initialTransition<DmaMachine>>[0];

const CONTEXT_KEYS = Object.keys({ ...unpackInput(0), ...unpackLocals(0) }) as (keyof MachineContext)[];

/** What a reused step claims: state name, full context, final. */
function claimed(m: CompiledMachine, inputBits: number, packed: number) {
  const s = packed & 255;
  const context: MachineContext = { ...unpackInput(inputBits), ...unpackLocals(packed >> 8) };
  return { state: m.stateNames[s]!, context, final: m.finals[s]! };
}

function actual(snap: Snapshot) {
  return { state: snap.value as string, context: snap.context as MachineContext, final: snap.status === 'done' };
}

function agree(a: ReturnType<typeof claimed>, b: ReturnType<typeof actual>): boolean {
  if (a.state !== b.state || a.final !== b.final) return false;
  if (Object.keys(b.context).length !== CONTEXT_KEYS.length) return false;
  return CONTEXT_KEYS.every((k) => a.context[k] === b.context[k]);
}

/** xstate's own answers for one machine, each computed once. */
class Reference {
  private readonly starts = new Map<number, Snapshot>();
  private readonly nexts = new WeakMap<Snapshot, Map<string, Snapshot>>();
  constructor(private readonly machine: DmaMachine) {}
  start(inputBits: number): Snapshot {
    let s = this.starts.get(inputBits);
    if (!s) this.starts.set(inputBits, (s = initialTransition(this.machine, unpackInput(inputBits))[0]));
    return s;
  }
  next(snap: Snapshot, type: OutcomeEvent): Snapshot {
    let byEvent = this.nexts.get(snap);
    if (!byEvent) this.nexts.set(snap, (byEvent = new Map()));
    let n = byEvent.get(type);
    if (!n) byEvent.set(type, (n = transition(this.machine, snap, { type })[0]));
    return n;
  }
}

/** Steps actually compared by `comparePath` (a path stops at a final state). */
let compared = 0;

/** Drive one path through both; returns a description of the first disagreement, or undefined. */
function comparePath(ref: Reference, m: CompiledMachine, inputBits: number, choices: readonly number[]): string | undefined {
  let snap = ref.start(inputBits);
  let packed = m.start(inputBits);
  const same = (at: string): string | undefined => {
    const want = actual(snap);
    const got = claimed(m, inputBits, packed);
    return agree(got, want) ? undefined : `${at}: reused ${JSON.stringify(got)} but xstate ${JSON.stringify(want)}`;
  };
  let diff = same('start');
  if (diff) return diff;
  for (const c of choices) {
    const s = packed & 255;
    if (m.finals[s]) return undefined;
    const handled = m.eventsOf(s);
    const type: OutcomeEvent = c % 8 === 7 || handled.length === 0 ? OUTCOME_EVENTS[c % OUTCOME_EVENTS.length]! : handled[c % handled.length]!;
    const ctx = inputBits | ((packed >> 8) << INPUT_BITS);
    const next = m.step(s, ctx, EVENT_ID[type]);
    const after = ref.next(snap, type);
    compared++;
    if (next < 0) {
      // no transition: xstate must stay where it is
      if (after.value !== snap.value || CONTEXT_KEYS.some((k) => after.context[k] !== snap.context[k]))
        return `${m.stateNames[s]} on ${type}: reused says no transition, xstate moves to ${String(after.value)}`;
      continue;
    }
    snap = after;
    packed = next;
    diff = same(`${m.stateNames[s]} on ${type}`);
    if (diff) return diff;
  }
  return undefined;
}

describe('reused machine steps agree with xstate transition()', () => {
  for (const version of VERSIONS) {
    for (const ep of ENTRY_POINTS) {
      it(`${version.id} ${ep}: ${PATHS_PER_MACHINE} random paths`, () => {
        const machine = version.machines[ep];
        const m = compile(machine);
        const ref = new Reference(machine);
        const inputs = fc.sample(fc.integer({ min: 0, max: (1 << INPUT_BITS) - 1 }), { numRuns: INPUT_POOL, seed: 42 });
        compared = 0;
        fc.assert(
          fc.property(
            fc.constantFrom(...inputs),
            fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: MAX_EVENTS }),
            (inputBits, choices) => {
              const diff = comparePath(ref, m, inputBits, choices);
              if (diff) throw new Error(diff);
            },
          ),
          { numRuns: PATHS_PER_MACHINE },
        );
        // a path compares nothing when its input makes the machine final at once (a map that needs
        // no bounce: about half the inputs of dma_direct_map_phys, ~490 steps compared); every machine
        // must still have compared steps on at least a quarter of its paths' worth; a machine that calls nothing
        // (baseline's dma_map_phys_cc_shared: mapped or refused at once) is final from every start, which was compared
        if (m.metas.some((meta) => meta.call)) expect(compared).toBeGreaterThanOrEqual(PATHS_PER_MACHINE / 4);
        else expect(inputs.every((i) => m.finals[m.start(i) & 255])).toBe(true);
      });
    }
  }
});
