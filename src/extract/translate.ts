/**
 * One C function to one xstate machine on dmaSetup (the same setup, guards,
 * StateMeta and EnvCall vocabulary as the hand-written machines, so the
 * explorer runs it unchanged).
 *
 * The lowered instructions (lower.ts) are followed from the entry with what
 * is known about each local (truthy or not, which kind of address), as
 * Modex does: a test whose answer is known from the path is decided here
 * and costs no state; a table predicate becomes a state with guarded
 * `always` transitions; an environment call a state with one transition
 * per outcome event (the outcome tells what the call returned); a return a
 * final state whose meta.returns is looked up by the kind of value it
 * returns. Locals named in the table's LOCALS live in the machine context
 * (an assignment is a state with an action, a test of them a guard); any
 * other local that a branch reads is followed by splitting the path, and a
 * point reached with the same knowledge shares its state.
 *
 * A call of another entry point (table meaning `entry`) splices that entry
 * point's machine in under `<callee>:` (as models/machines/splice-machine.ts
 * does for the hand-written front ends): its states keep their meta, and
 * each of its final states either stays final, when the code after the
 * call only returns what the callee returned, or goes on to the code after
 * the call knowing what it returned.
 *
 * GENERIC: nothing here knows DMA; the meanings come from the table.
 */
import { assign } from 'xstate';
import { ARG_KINDS, ATTR_BITS, LOCALS, RETURNED, RETURNS, type ValueFact } from '../../models/extract-table.ts';
import { dmaSetup, initialContext, type DmaMachine, type MachineContext, type MachineLocals, type ReturnKind, type StateMeta } from '../../models/machines/dma-setup.ts';
import type { OutcomeEvent } from '../../models/vocabulary.ts';
import { MAX_STEP_STATES } from '../../models/step-cache.ts';
import { ExtractError } from './extract-error.ts';
import { ctxKey, liveVariables } from './liveness.ts';
import type { Instr, Lowered, Operand, Src, Test } from './lower.ts';

/**
 * The step cache numbers a machine's states in 8 bits (models/step-cache.ts;
 * it also checks that the states where the machine waits or ends fit a
 * thread record).
 */
export const MAX_STATES = MAX_STEP_STATES;

export interface ExtractedTransition {
  /** the outcome event; absent for an eventless (`always`) transition */
  readonly event?: OutcomeEvent;
  readonly guard?: string;
  readonly actions?: readonly string[];
  readonly target: string;
}

export interface ExtractedState {
  readonly name: string;
  readonly final: boolean;
  readonly meta: StateMeta;
  readonly transitions: readonly ExtractedTransition[];
}

/** What was extracted for one entry point: plain data, printed by `dmacheck extract`. */
export interface ExtractedMachine {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly initial: string;
  readonly states: readonly ExtractedState[];
  /** lookup-table keys the reachable code used, sorted */
  readonly tableUsed: readonly string[];
  /** the ABSTRACTION: texts of the table entries applied */
  readonly abstractions: readonly string[];
  /** problems in code no path reaches (e.g. behind an abstraction): not translated, listed so nothing is skipped silently */
  readonly unreached: readonly string[];
}

interface Env {
  readonly vars: Readonly<Record<string, ValueFact>>;
  /** machine-context locals assigned on this path (their value is in the context, not known here) */
  readonly ctx: readonly (keyof MachineLocals)[];
  /** the memory is lost unless freed before the return */
  readonly leak: boolean;
}

function envKey(env: Env): string {
  const vars = Object.keys(env.vars).sort().map((k) => `${k}=${env.vars[k]!.truthy ?? '?'}/${env.vars[k]!.kind ?? '?'}`);
  return `${vars.join(',')}|${[...env.ctx].sort().join(',')}|${env.leak ? 'L' : ''}`;
}

const isTemp = (v: string) => v.startsWith('$');

function errorAt(src: Src, problem: string): ExtractError {
  return new ExtractError(src.file, src.line, src.column, problem);
}

function sourceText(src: Src): string {
  return `${src.file}:${src.line} ${src.chain}: ${src.text}`;
}

interface Pending {
  readonly name: string;
  readonly pc: number;
  readonly env: Env;
}

/** The machine of another entry point a translated function calls, if it was extracted. */
export type Callees = (name: string) => ExtractedMachine | undefined;

/** The kind of a value a spliced entry point returned: a `return` of it hands the same ReturnKind on. */
const RETURNED_KIND = 'returned:';

/** The context fields each translated machine's tests took as never set (a spliced machine must not find them set). */
const ASSUMED_CLEAR = new WeakMap<ExtractedMachine, ReadonlySet<keyof MachineLocals>>();

/** The bits of attrs travel with the attrs argument; every other context field is a C local of one function. */
const ATTR_FIELDS: ReadonlySet<string> = new Set(Object.values(ATTR_BITS).flatMap((b) => ('field' in b ? [b.field] : [])));

/** Translate a lowered entry point into its description; `callees` gives the machines of entry points it calls. */
export function translate(low: Lowered, callees: Callees = () => undefined): ExtractedMachine {
  return new Translation(low, callees).run();
}

class Translation {
  private readonly states = new Map<string, ExtractedState>();
  private readonly memo = new Map<string, string>();
  private readonly names = new Set<string>();
  private readonly work: Pending[] = [];
  private readonly reached = new Set<number>();
  private readonly used = new Set<string>();
  private readonly abstractions = new Set<string>();
  private readonly live: readonly ReadonlySet<string>[];
  /**
   * Context locals some instruction may set to a value other than their
   * initial false: a test of one is a state; a test of any other is
   * decided here (still false). Deciding a settable one from what the path
   * assigned would split every later state by that history.
   */
  private readonly settable: ReadonlySet<keyof MachineLocals>;
  private readonly spliced = new Map<string, number>();
  /** context fields a test decided as still clear because nothing here sets them */
  private readonly assumedClear = new Set<keyof MachineLocals>();
  /** the fields the function's own instructions may set (not those a spliced callee sets) */
  private readonly ownSettable: ReadonlySet<keyof MachineLocals>;
  private readonly unreachedCallee = new Set<string>();

  constructor(private readonly low: Lowered, private readonly callees: Callees) {
    this.live = liveVariables(low.instrs);
    const own = low.instrs.flatMap((i) => (i.op === 'set' && !(i.decl && 'fact' in i.from && i.from.fact.truthy === false) ? [i.field] : []));
    // a field a spliced callee sets is set in the caller's context from there on
    const called = low.instrs.flatMap((i) => (i.op === 'enter' ? setFields(callees(i.callee)) : []));
    this.ownSettable = new Set(own);
    this.settable = new Set([...own, ...called]);
  }

  /** Forget what is known about variables no later instruction reads. */
  private prune(pc: number, env: Env): Env {
    const live = this.live[pc]!;
    const names = Object.keys(env.vars);
    if (names.every((v) => live.has(v)) && env.ctx.every((f) => live.has(ctxKey(f)))) return env;
    return {
      ...env,
      vars: Object.fromEntries(names.filter((v) => live.has(v)).map((v) => [v, env.vars[v]!])),
      ctx: env.ctx.filter((f) => live.has(ctxKey(f))),
    };
  }

  run(): ExtractedMachine {
    const initial = this.target(0, { vars: this.low.params, ctx: [], leak: false });
    for (let w = this.work.shift(); w; w = this.work.shift()) this.build(w);
    const order = [...this.memo.values()];
    if (order.length > MAX_STATES) {
      throw new ExtractError(this.low.fn.file, this.low.fn.line, this.low.fn.column,
        `${this.low.fn.name}() gives ${order.length} states (at most ${MAX_STATES}): add the locals that split its paths to LOCALS in models/extract-table.ts`);
    }
    const states = order.map((n) => this.states.get(n)!);
    this.checkAcyclic(initial, states);
    const unreached = this.low.instrs
      .map((ins, pc) => (ins.op === 'error' && !this.reached.has(pc) ? ins.error.message : undefined))
      .filter((m): m is string => m !== undefined)
      .concat([...this.unreachedCallee]);
    const machine: ExtractedMachine = {
      id: this.low.fn.name, file: this.low.fn.file, line: this.low.fn.line, initial, states,
      tableUsed: [...this.used].sort(), abstractions: [...this.abstractions].sort(), unreached: [...new Set(unreached)],
    };
    ASSUMED_CLEAR.set(machine, this.assumedClear);
    return machine;
  }

  /** What the path knows about an operand. Reading a temporary consumes it. */
  private fact(o: Operand, env: { vars: Record<string, ValueFact> }): ValueFact {
    if ('fact' in o) return o.fact;
    if ('ctx' in o) return {};
    const f = env.vars[o.var] ?? {};
    if (isTemp(o.var)) delete env.vars[o.var];
    return f;
  }

  /**
   * The state that (pc, env) leads to: instructions decided on the path
   * are followed here; the first that needs a state gets one (shared by
   * every path that arrives with the same knowledge).
   */
  private target(pc: number, start: Env): string {
    const at = this.advance(pc, start);
    return this.low.instrs[at.pc]!.op === 'enter' ? this.splice(at.pc, at.env) : this.stateFor(at.pc, at.env);
  }

  /** Follow the instructions decided on the path from (pc, env) to the first that needs a state, or a call of an entry point. */
  private advance(pc: number, start: Env): { pc: number; env: Env } {
    let env: Env = start;
    const seen = new Set<string>();
    for (;;) {
      env = this.prune(pc, env);
      const key = `${pc}|${envKey(env)}`;
      const ins = this.low.instrs[pc]!;
      if (seen.has(key)) throw errorAt(ins.src, `a loop that no state breaks (the table decides its condition the same way each time): '${ins.src.text}'`);
      seen.add(key);
      this.reached.add(pc);
      const vars = { ...env.vars };
      switch (ins.op) {
        case 'jump':
          pc = ins.to;
          continue;
        case 'copy':
          vars[ins.dest] = this.fact(ins.from, { vars });
          env = { ...env, vars };
          pc++;
          continue;
        case 'kill':
          for (const v of Object.keys(vars)) if (v === ins.prefix || v.startsWith(ins.prefix) && ins.prefix.endsWith(':')) delete vars[v];
          env = { ...env, vars };
          pc++;
          continue;
        case 'use':
          this.used.add(ins.key);
          if (ins.abstraction) this.abstractions.add(`${ins.key}: ${ins.abstraction}`);
          pc++;
          continue;
        case 'set': {
          const v = this.fact(ins.from, { vars });
          if (v.truthy === undefined) throw errorAt(ins.src, `'${ins.src.text}' gives ${ins.field} a value the table does not decide`);
          // a declaration's `= false` while the context still holds its initial false
          if (this.enters() > 0 && !ATTR_FIELDS.has(ins.field)) {
            throw errorAt(ins.src, `'${ins.src.text}': ${this.low.fn.name}() calls an entry point and keeps its own ${ins.field} in the machine context, which the spliced machine shares: not supported`);
          }
          if (ins.decl && !v.truthy && !env.ctx.includes(ins.field)) {
            env = { ...env, vars };
            pc++;
            continue;
          }
          return { pc, env };
        }
        case 'branch': {
          const t = ins.test;
          if ('guard' in t || 'input' in t) return { pc, env };
          if ('ctx' in t.operand) {
            this.noteStart(t);
            if (this.settable.has(t.operand.ctx) || ('caller' in t && t.caller)) return { pc, env };
            this.assumedClear.add(t.operand.ctx);
            pc = ins.f; // never set: still the initial false
            continue;
          }
          const f = this.fact(t.operand, { vars });
          env = { ...env, vars };
          if ('kindIs' in t) {
            if (f.kind === undefined) throw errorAt(ins.src, `${t.key}(${t.operand.name}): which kind of value '${t.operand.name}' holds is not known here`);
            this.used.add(t.key);
            pc = f.kind === t.kindIs ? ins.t : ins.f;
            continue;
          }
          if (f.truthy === undefined) {
            throw errorAt(ins.src, `condition '${ins.src.text}' reads '${t.operand.name ?? ins.src.text}', whose value the table does not decide: give it a meaning in models/extract-table.ts (EXPRESSIONS, or the call that sets it in FUNCTIONS)`);
          }
          pc = f.truthy ? ins.t : ins.f;
          continue;
        }
        case 'call':
        case 'action':
        case 'return':
        case 'enter':
          return { pc, env };
        case 'error':
          throw ins.error;
      }
    }
  }

  private enterCount?: number;

  /** How many calls of entry points the function makes. */
  private enters(): number {
    this.enterCount ??= this.low.instrs.filter((i) => i.op === 'enter').length;
    return this.enterCount;
  }

  /**
   * The machine of the entry point called at `pc`, spliced in under
   * `<callee>:` (`<callee>_2:` for a second splice): its initial state's
   * name. A final state of the callee stays final when the code after the
   * call only returns what the callee returned (with the same leak);
   * otherwise it goes on, eventless, to the code after the call.
   */
  private splice(pc: number, env: Env): string {
    const key = `${pc}|${envKey(env)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const ins = this.low.instrs[pc] as Extract<Instr, { op: 'enter' }>;
    const callee = this.callees(ins.callee);
    if (!callee) {
      throw errorAt(ins.src, `${ins.callee}() is an entry point (meaning 'entry' in models/extract-table.ts) whose machine was not extracted: read the file that defines it too`);
    }
    // a bit the callee took as never set (its test decided) must not come set from the caller with attrs
    const clash = [...(ASSUMED_CLEAR.get(callee) ?? [])].find((f) => this.ownSettable.has(f));
    if (clash) {
      throw errorAt(ins.src, `${ins.callee}() was translated with ${clash} never set (its tests decided clear), but ${this.low.fn.name}() may set it before the call: not supported`);
    }
    this.used.add(ins.key);
    callee.tableUsed.forEach((k) => this.used.add(k));
    callee.abstractions.forEach((a) => this.abstractions.add(a));
    callee.unreached.forEach((u) => this.unreachedCallee.add(u));
    const n = (this.spliced.get(callee.id) ?? 0) + 1;
    this.spliced.set(callee.id, n);
    const prefix = n === 1 ? `${callee.id}:` : `${callee.id}_${n}:`;
    const entry = `${prefix}${callee.initial}`;
    this.memo.set(key, entry);
    const ctx = [...new Set([...env.ctx, ...setFields(callee)])];
    for (const s of callee.states) {
      const name = `${prefix}${s.name}`;
      this.names.add(name);
      if (name !== entry) this.memo.set(`splice|${name}`, name);
      if (!s.final) {
        this.states.set(name, { ...s, name, transitions: s.transitions.map((t) => ({ ...t, target: `${prefix}${t.target}` })) });
        continue;
      }
      const returns = s.meta.returns ?? 'void';
      const after: Env = { vars: { ...env.vars, [ins.dest]: { ...RETURNED[returns], kind: `${RETURNED_KIND}${returns}` } }, ctx, leak: env.leak || !!s.meta.leak };
      if (this.returnsAsIs(pc + 1, after, returns) && after.leak === !!s.meta.leak) {
        this.states.set(name, { ...s, name });
        continue;
      }
      const { returns: _r, leak: _l, ...meta } = s.meta;
      this.states.set(name, { name, final: false, meta, transitions: [{ target: this.target(pc + 1, after) }] });
    }
    return entry;
  }

  /** Whether the code from (pc, env) only returns, with no state, the value the callee returned (`returns`). */
  private returnsAsIs(pc: number, env: Env, returns: ReturnKind): boolean {
    const at = this.advance(pc, env);
    const ins = this.low.instrs[at.pc]!;
    if (ins.op !== 'return') return false;
    const vars = { ...at.env.vars };
    const f = ins.from ? this.fact(ins.from, { vars }) : {};
    const given = this.low.fn.returnType === 'void' ? 'void' : f.kind?.startsWith(RETURNED_KIND) ? f.kind.slice(RETURNED_KIND.length) : undefined;
    return given === returns;
  }

  /** A test of an attrs bit of the entry point's parameter counts on what the caller passes. */
  private noteStart(t: Test): void {
    if ('start' in t && t.start) {
      this.used.add(t.start.key);
      this.abstractions.add(`${t.start.key}: ${t.start.abstraction}`);
    }
  }

  private stateFor(pc: number, env: Env): string {
    const key = `${pc}|${envKey(env)}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const ins = this.low.instrs[pc]!;
    const base = `${this.baseName(ins)}_L${ins.src.line}${ins.src.instance ? `_in_${ins.src.instance}` : ''}`;
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    this.memo.set(key, name);
    this.work.push({ name, pc, env });
    return name;
  }

  private baseName(ins: Instr): string {
    switch (ins.op) {
      case 'branch': {
        const t = ins.test;
        return 'guard' in t ? t.guard : 'input' in t ? t.input : 'ctx' in t.operand ? t.operand.ctx : 'test';
      }
      case 'call': return ins.entry.call;
      case 'action': return ins.action;
      case 'set': return `set_${ins.field}`;
      case 'return': return 'return';
      default: return ins.op;
    }
  }

  private build({ name, pc, env }: Pending): void {
    const ins = this.low.instrs[pc]!;
    const source = sourceText(ins.src);
    const vars = { ...env.vars };
    let state: ExtractedState;
    switch (ins.op) {
      case 'set': {
        const v = this.fact(ins.from, { vars })!.truthy!;
        const ctx = env.ctx.includes(ins.field) ? env.ctx : [...env.ctx, ins.field];
        state = {
          name, final: false, meta: { source },
          transitions: [{ actions: [`set:${ins.field}=${v}`], target: this.target(pc + 1, { ...env, vars, ctx }) }],
        };
        break;
      }
      case 'branch': {
        const t = ins.test;
        let guard: string;
        if ('guard' in t) guard = t.guard;
        else if ('input' in t) guard = `input:${t.input}`;
        else if ('ctx' in t.operand) {
          const fromCaller = 'caller' in t && t.caller && !env.ctx.includes(t.operand.ctx) ? t.caller : undefined;
          if (fromCaller) this.used.add(fromCaller.key);
          guard = fromCaller ? `input:${fromCaller.input}` : this.localGuard(t.operand.ctx);
        }
        else throw new Error('translate: a branch decided on the path got a state');
        if ('key' in t) this.used.add(t.key);
        state = {
          name, final: false, meta: { source },
          transitions: [{ guard, target: this.target(ins.t, env) }, { target: this.target(ins.f, env) }],
        };
        break;
      }
      case 'call': {
        this.used.add(ins.key);
        const argIndex = ins.entry.arg;
        const argKind = argIndex !== undefined && ins.args[argIndex] ? this.fact(ins.args[argIndex], { vars: { ...vars } }).kind : undefined;
        const arg = argKind !== undefined ? ARG_KINDS[argKind] : undefined;
        for (const a of ins.args) this.fact(a, { vars });
        const transitions = ins.entry.outcomes.map((o): ExtractedTransition => {
          const next: Record<string, ValueFact> = { ...vars, [ins.dest]: o.value };
          const out = o.out ? ins.outVars[o.out.arg] : undefined;
          if (o.out && out) next[out] = o.out.value;
          const leak = ins.entry.frees ? false : env.leak || !!o.leaks;
          return { event: o.event, ...(o.action ? { actions: [o.action] } : {}), target: this.target(pc + 1, { ...env, vars: next, leak }) };
        });
        state = { name, final: false, meta: { source, call: ins.entry.call, ...(arg ? { arg } : {}) }, transitions };
        break;
      }
      case 'action':
        this.used.add(ins.key);
        state = { name, final: false, meta: { source }, transitions: [{ actions: [ins.action], target: this.target(pc + 1, env) }] };
        break;
      case 'return':
        state = { name, final: true, meta: { source, returns: this.returns(ins, vars), ...(env.leak ? { leak: true } : {}) }, transitions: [] };
        break;
      default:
        throw new Error(`translate: no state for ${ins.op}`);
    }
    this.states.set(name, state);
  }

  private localGuard(field: keyof MachineLocals): string {
    const bit = Object.values(ATTR_BITS).find((b) => 'field' in b && b.field === field);
    return Object.values(LOCALS).find((l) => l.field === field)?.guard ?? (bit && 'guard' in bit ? bit.guard : `local:${field}`);
  }

  private returns(ins: Extract<Instr, { op: 'return' }>, vars: Record<string, ValueFact>): NonNullable<StateMeta['returns']> {
    const type = this.low.fn.returnType;
    if (type === 'void') return 'void';
    const f = ins.from ? this.fact(ins.from, { vars }) : {};
    if (f.kind?.startsWith(RETURNED_KIND)) return f.kind.slice(RETURNED_KIND.length) as ReturnKind;
    if (f.kind === undefined) {
      throw errorAt(ins.src, `'${ins.src.text}': what ${this.low.fn.name}() returns here is not known (no kind): give the call that produced it a kind in models/extract-table.ts`);
    }
    const rule = RETURNS.find((r) => r.kind === f.kind && (r.type === undefined || r.type === type));
    if (!rule) throw errorAt(ins.src, `'${ins.src.text}': no RETURNS rule for a value of kind '${f.kind}' returned as '${type}': add one in models/extract-table.ts`);
    return rule.returns;
  }

  /** A cycle would be a loop the table does not bound (the explorer needs every run to end). */
  private checkAcyclic(initial: string, states: readonly ExtractedState[]): void {
    const byName = new Map(states.map((s) => [s.name, s]));
    const color = new Map<string, 1 | 2>();
    const visit = (n: string): void => {
      color.set(n, 1);
      for (const t of byName.get(n)!.transitions) {
        const c = color.get(t.target);
        if (c === 1) {
          const src = byName.get(t.target)!.meta.source;
          const at = /^(.*?):(\d+) /.exec(src);
          throw new ExtractError(at?.[1] ?? this.low.fn.file, Number(at?.[2] ?? this.low.fn.line), 1,
            `a loop the table does not bound returns to '${src.replace(/^.*?: /, '')}': add an abstraction for its condition to models/extract-table.ts`);
        }
        if (c === undefined) visit(t.target);
      }
      color.set(n, 2);
    };
    visit(initial);
  }
}

/** The context fields a machine's transitions set (`set:FIELD=true`). */
function setFields(m: ExtractedMachine | undefined): (keyof MachineLocals)[] {
  const out = new Set<keyof MachineLocals>();
  for (const s of m?.states ?? []) {
    for (const t of s.transitions) for (const a of t.actions ?? []) {
      const set = /^set:(\w+)=true$/.exec(a);
      if (set) out.add(set[1] as keyof MachineLocals);
    }
  }
  return [...out];
}

/** The xstate machine of a description, on dmaSetup. */
export function toMachine(m: ExtractedMachine): DmaMachine {
  const guards: Record<string, (a: { context: MachineContext }) => boolean> = {};
  const actions: Record<string, ReturnType<typeof assign>> = {};
  const states: Record<string, object> = {};
  for (const s of m.states) {
    const always: object[] = [];
    const on: Record<string, object> = {};
    for (const t of s.transitions) {
      if (t.guard?.includes(':')) {
        const field = t.guard.slice(t.guard.indexOf(':') + 1) as keyof MachineContext;
        guards[t.guard] = ({ context }) => context[field];
      }
      for (const a of t.actions ?? []) {
        const set = /^set:(\w+)=(true|false)$/.exec(a);
        if (set) actions[a] = assign({ [set[1]!]: set[2] === 'true' });
      }
      const tr = { target: t.target, ...(t.guard ? { guard: t.guard } : {}), ...(t.actions ? { actions: [...t.actions] } : {}) };
      if (t.event) on[t.event] = tr;
      else always.push(tr);
    }
    states[s.name] = s.final
      ? { type: 'final', meta: s.meta }
      : { meta: s.meta, ...(always.length ? { always } : {}), ...(Object.keys(on).length ? { on } : {}) };
  }
  const config = { id: m.id, initial: m.initial, context: initialContext, states };
  const machine = dmaSetup.createMachine(config as Parameters<typeof dmaSetup.createMachine>[0]);
  return machine.provide({ guards, actions } as Parameters<typeof machine.provide>[0]) as DmaMachine;
}
