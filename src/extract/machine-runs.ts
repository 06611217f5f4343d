/**
 * The run set of a machine, the yardstick for "the extracted machine is the
 * hand-written one": for every combination of the chosen input keys (the
 * others false), every complete run — the calls it waits on with the
 * outcome taken, and at the end what it returns, whether it leaks, and its
 * locals. Two machines with the same run set for every input have the same
 * reachable step relation as the explorer sees it (the explorer sees a
 * machine only through its calls, outcomes, final metas and context bits).
 */
import { INPUT_KEYS, type DmaMachine, type MachineInput } from '../../models/machines/dma-setup.ts';
import { CompiledMachine, INPUT_BITS, unpackInput, unpackLocals } from '../../models/step-cache.ts';
import { EVENT_ID } from '../../models/vocabulary.ts';

/** input bits (packInput) -> the sorted runs for that input */
export type RunSet = Map<number, string[]>;

/** One run: `call:EVENT ... returns[ leak] locals=a,b` (the locals that are true, by name). */
function runText(trace: readonly string[], returns: string | undefined, leak: boolean | undefined, locals: number): string {
  const set = Object.entries(unpackLocals(locals)).filter(([, v]) => v).map(([k]) => k).join(',');
  return [...trace, `${returns}${leak ? ' leak' : ''} locals=${set || '-'}`].join(' ');
}

/** The run set of `machine` over every value of `keys` (all input keys by default). */
export function machineRuns(machine: DmaMachine, keys: readonly (keyof MachineInput)[] = INPUT_KEYS): RunSet {
  const c = new CompiledMachine(machine);
  const out: RunSet = new Map();
  for (let sub = 0; sub < 1 << keys.length; sub++) {
    let bits = 0;
    keys.forEach((k, i) => { if (sub & (1 << i)) bits |= 1 << INPUT_KEYS.indexOf(k); });
    const found: string[] = [];
    const walk = (packed: number, trace: string[]): void => {
      const s = packed & 255;
      const locals = packed >>> 8;
      const meta = c.metas[s]!;
      if (c.finals[s]) {
        found.push(runText(trace, meta.returns, meta.leak, locals));
        return;
      }
      for (const ev of c.eventsOf(s)) {
        const next = c.step(s, bits | (locals << INPUT_BITS), EVENT_ID[ev]);
        if (next >= 0) walk(next, [...trace, `${meta.call}:${ev}`]);
      }
    };
    walk(c.start(bits), []);
    out.set(bits, found.sort());
  }
  return out;
}

type Probe = (args: { context: Record<string, boolean> }) => unknown;

/**
 * Every context key `fn` can read, found by following each read both ways
 * (guards and assignments are pure functions of a few booleans, with C's
 * short-circuit reads).
 */
function readKeys(fn: Probe, into: Set<string>): void {
  const explore = (fixed: ReadonlyMap<string, boolean>): void => {
    const fresh: string[] = [];
    const context = new Proxy({} as Record<string, boolean>, {
      get: (_, k) => {
        if (typeof k !== 'string') return undefined;
        into.add(k);
        if (!fixed.has(k) && !fresh.includes(k)) fresh.push(k);
        return fixed.get(k) ?? false;
      },
    });
    fn({ context });
    fresh.forEach((k, i) => explore(new Map([...fixed, ...fresh.slice(0, i).map((p) => [p, false] as const), [k, true]])));
  };
  explore(new Map());
}

/** The guard or action implementations a transition field refers to: by name, as `{ type }`, inline, or a list of them. */
function refs(x: unknown, table: Record<string, unknown>): unknown[] {
  if (x === undefined) return [];
  if (Array.isArray(x)) return x.flatMap((y) => refs(y, table));
  if (typeof x === 'string') return [table[x]];
  if (typeof x === 'object' && x !== null && typeof (x as { type?: unknown }).type === 'string') return [table[(x as { type: string }).type]];
  return [x];
}

/**
 * The input keys a machine's behaviour can depend on: those its guards and
 * assign actions read. A machine reads its input only through them, so the
 * run set over these keys (the others false) decides the run set over all.
 */
export function inputKeysRead(machine: DmaMachine): (keyof MachineInput)[] {
  const impl = machine.implementations as unknown as { guards: Record<string, unknown>; actions: Record<string, unknown> };
  const read = new Set<string>();
  const states = (machine.config.states ?? {}) as Record<string, { always?: unknown; on?: Record<string, unknown> }>;
  const transitions = Object.values(states).flatMap((s) => [s.always, ...Object.values(s.on ?? {})]).flatMap((t) => (t === undefined ? [] : Array.isArray(t) ? t : [t])) as { guard?: unknown; actions?: unknown }[];
  for (const t of transitions) {
    for (const g of refs(t.guard, impl.guards)) readKeys(g as Probe, read);
    for (const a of refs(t.actions, impl.actions)) {
      const assignment = (a as { assignment?: unknown } | undefined)?.assignment;
      if (assignment === undefined) return [...INPUT_KEYS]; // not an assign: it may read anything
      if (typeof assignment === 'function') readKeys(assignment as Probe, read);
      else for (const v of Object.values(assignment as object)) if (typeof v === 'function') readKeys(v as Probe, read);
    }
  }
  return INPUT_KEYS.filter((k) => read.has(k));
}

/** The first input (in input-bit order) where two run sets differ, and how. */
export interface RunDifference {
  /** the input keys that are true (the others false) */
  readonly input: readonly (keyof MachineInput)[];
  /** the first run (in sorted order) that only one machine has */
  readonly onlyLeft?: string;
  readonly onlyRight?: string;
}

/** undefined if `a` and `b` are the same run set, else the first difference. */
export function firstRunDifference(a: RunSet, b: RunSet): RunDifference | undefined {
  const inputs = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  for (const bits of inputs) {
    const ra = a.get(bits) ?? [];
    const rb = b.get(bits) ?? [];
    if (ra.length === rb.length && ra.every((r, i) => r === rb[i])) continue;
    const inB = new Set(rb);
    const inA = new Set(ra);
    const onlyLeft = ra.find((r) => !inB.has(r));
    const onlyRight = rb.find((r) => !inA.has(r));
    const input = Object.entries(unpackInput(bits)).filter(([, v]) => v).map(([k]) => k as keyof MachineInput);
    return { input, ...(onlyLeft !== undefined ? { onlyLeft } : {}), ...(onlyRight !== undefined ? { onlyRight } : {}) };
  }
  return undefined;
}

/**
 * undefined if machines `a` and `b` have the same runs for every input,
 * else the first difference (`onlyLeft` is a run of `a`). Enumerates the
 * input keys either machine reads.
 */
export function machineDifference(a: DmaMachine, b: DmaMachine): RunDifference | undefined {
  const keys = [...new Set([...inputKeysRead(a), ...inputKeysRead(b)])];
  return firstRunDifference(machineRuns(a, keys), machineRuns(b, keys));
}
