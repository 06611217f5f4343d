/**
 * First half of the translation: one C function (with the file's own
 * functions inlined at their call sites) lowered to a flat list of
 * instructions with explicit jumps. Structured statements, `goto`, early
 * returns and the short-circuit order of `&&` / `||` all become branches
 * here, so the second half (translate.ts) sees only jumps and tests.
 *
 * GENERIC: this file knows C, not DMA. Every name that is not a local, a
 * parameter or a function of the file is looked up in the lookup table
 * (models/extract-table.ts). A construct or name it cannot lower becomes an
 * `error` instruction at that point: extraction fails if a path reaches it.
 */
import {
  ATTR_BITS, ATTRS, ATTRS_START, CALLER_ATTRS, CONSTANTS, EXPRESSIONS, FUNCTIONS, LOCALS, PARAMETERS, type AttrBit, type TableEntry, type ValueFact,
} from '../../models/extract-table.ts';
import type { MachineInput, MachineLocals } from '../../models/machines/dma-setup.ts';
import { ExtractError } from './extract-error.ts';
import { declaredName, position, type CFile, type CFunction, type CNode } from './parse-c.ts';

/** Where an instruction comes from: the statement or condition in the file read. */
export interface Src {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** the statement or condition, white space collapsed and shortened */
  readonly text: string;
  /** the entry point, then each inlined helper: `dma_direct_alloc > dma_set_decrypted` */
  readonly chain: string;
  /** the inlined instance (`dma_set_decrypted2`), '' in the entry point's own body */
  readonly instance: string;
}

export type Operand =
  | { readonly var: string; readonly name: string }
  | { readonly fact: ValueFact; readonly name?: string }
  | { readonly ctx: keyof MachineLocals; readonly name: string };

export type Test =
  | { readonly guard: string; readonly key: string }
  | { readonly input: keyof MachineInput; readonly key: string }
  /**
   * `start`: the abstraction applied when the path never assigned the context field (an attrs bit the caller is taken not to pass);
   * `caller`: instead, on a path that never assigned it, the bit is what the caller passed (table CALLER_ATTRS)
   */
  | {
    readonly operand: Operand; readonly start?: { readonly key: string; readonly abstraction: string };
    readonly caller?: { readonly key: string; readonly input: keyof MachineInput };
  }
  | { readonly kindIs: string; readonly operand: Operand; readonly key: string };

export type CallEntry = Extract<TableEntry, { meaning: 'call' }>;

export type Instr = { readonly src: Src } & (
  | { readonly op: 'jump'; to: number }
  | { readonly op: 'branch'; readonly test: Test; t: number; f: number }
  | { readonly op: 'copy'; readonly dest: string; readonly from: Operand }
  | { readonly op: 'kill'; readonly prefix: string }
  | { readonly op: 'set'; readonly field: keyof MachineLocals; readonly from: Operand; readonly decl: boolean }
  | { readonly op: 'call'; readonly key: string; readonly entry: CallEntry; readonly dest: string; readonly args: readonly Operand[]; readonly outVars: readonly (string | undefined)[] }
  | { readonly op: 'action'; readonly key: string; readonly action: string }
  | { readonly op: 'use'; readonly key: string; readonly abstraction?: string }
  /** a call of another entry point, whose machine is spliced in; `dest` holds what it returned */
  | { readonly op: 'enter'; readonly key: string; readonly callee: string; readonly dest: string }
  | { readonly op: 'return'; readonly from?: Operand }
  | { readonly op: 'error'; readonly error: ExtractError });

export interface Lowered {
  readonly fn: CFunction;
  readonly instrs: readonly Instr[];
  /** the initial facts of the entry point's parameters */
  readonly params: Readonly<Record<string, ValueFact>>;
}

const TEXT_MAX = 90;
const isZero = (n: CNode) => n.type === 'null' || n.text === 'NULL' || /^0[xX]?0*[uUlL]*$/.test(n.text);
const unparen = (n: CNode): CNode => (n.type === 'parenthesized_expression' ? unparen(n.namedChildren.find((c) => c?.type !== 'comment')!) : n);
const squash = (node: CNode): string => node.text.replace(/\s+/g, '');

/** A statement's short form: the condition of an if / loop, else its first line. */
function shortText(node: CNode): string {
  const cond = node.childForFieldName('condition');
  const base = cond && node.type !== 'conditional_expression' ? `${node.type.replace('_statement', '')} ${cond.text}` : node.text;
  const one = base.replace(/\s+/g, ' ').trim();
  return one.length > TEXT_MAX ? `${one.slice(0, TEXT_MAX - 3)}...` : one;
}

interface Frame {
  readonly fn: CFunction;
  /** '' for the entry point, else the instance name */
  readonly instance: string;
  readonly chain: string;
  readonly vars: ReadonlySet<string>;
  readonly gotoLabels: Map<string, number>;
  readonly loops: { brk: number; cont: number }[];
  /** the name under which this frame sees the entry point's attrs word (its bits live in the context), if any */
  readonly attrs?: string;
  /** pointer parameters of an inlined helper bound to `&v` of the caller: the caller's variable */
  readonly aliases: ReadonlyMap<string, string>;
  /** where a `return` of an inlined helper goes, and the variable it returns in */
  readonly ret?: { label: number; dest: string };
}

/** Lower entry point `name` of `file`. */
export function lowerFunction(file: CFile, name: string): Lowered {
  const fn = file.functions.get(name);
  if (!fn) throw new Error(`lowerFunction: no function ${name} in ${file.file}`);
  return new Lowering(file).entry(fn);
}

class Lowering {
  private readonly instrs: Instr[] = [];
  /** label id -> instruction index once placed */
  private readonly placed: (number | undefined)[] = [];
  private readonly gotoLabelIds = new Set<number>();
  private readonly instances = new Map<string, number>();
  private readonly inlining: string[] = [];
  private temps = 0;
  /** the entry point's attrs is its parameter (the caller's bits), not a local it starts itself */
  private attrsParam = false;
  private frame!: Frame;
  private src!: Src;

  constructor(private readonly file: CFile) {}

  entry(fn: CFunction): Lowered {
    this.frame = this.newFrame(fn, '', fn.name);
    this.attrsParam = fn.params.includes(ATTRS);
    this.src = this.srcOf(fn.node);
    const params: Record<string, ValueFact> = {};
    for (const p of fn.params) {
      if (PARAMETERS[p]) params[this.varName(p)] = PARAMETERS[p];
    }
    this.statement(fn.body);
    this.emit({ op: 'return' }); // falling off the end of a void function
    for (const [label, id] of this.frame.gotoLabels) {
      if (this.placed[id] === undefined) {
        throw new ExtractError(fn.file, fn.line, fn.column, `goto ${label}: no such label in ${fn.name}()`);
      }
    }
    // resolve label ids into instruction indices
    const at = (id: number) => this.placed[id]!;
    for (const ins of this.instrs) {
      if (ins.op === 'jump') ins.to = at(ins.to);
      if (ins.op === 'branch') { ins.t = at(ins.t); ins.f = at(ins.f); }
    }
    return { fn, instrs: this.instrs, params };
  }

  private newFrame(fn: CFunction, instance: string, chain: string, ret?: Frame['ret'], bound: { attrs?: string; aliases?: ReadonlyMap<string, string> } = {}): Frame {
    const vars = new Set(fn.params);
    for (const d of fn.body.descendantsOfType('declaration')) {
      for (const c of d?.namedChildren ?? []) {
        if (c && (c.type === 'init_declarator' || c.type.endsWith('declarator') || c.type === 'identifier')) {
          const n = declaredName(c.type === 'init_declarator' ? c.childForFieldName('declarator') : c);
          if (n) vars.add(n);
        }
      }
    }
    const attrs = instance === '' ? (vars.has(ATTRS) ? ATTRS : undefined) : bound.attrs;
    return { fn, instance, chain, vars, gotoLabels: new Map(), loops: [], aliases: bound.aliases ?? new Map(), ...(attrs ? { attrs } : {}), ...(ret ? { ret } : {}) };
  }

  private srcOf(node: CNode): Src {
    return { file: this.file.file, ...position(node), text: shortText(node), chain: this.frame.chain, instance: this.frame.instance };
  }

  private fail(node: CNode, problem: string): never {
    const { line, column } = position(node);
    throw new ExtractError(this.file.file, line, column, problem);
  }

  // ---- labels and emission ----

  private label(): number {
    this.placed.push(undefined);
    return this.placed.length - 1;
  }

  private place(id: number): void {
    this.placed[id] = this.instrs.length;
  }

  private emit(ins: Record<string, unknown> & { op: Instr['op'] }): void {
    this.instrs.push({ ...ins, src: this.src } as Instr);
  }

  private jump(to: number): void {
    this.emit({ op: 'jump', to });
  }

  private gotoLabel(name: string): number {
    let id = this.frame.gotoLabels.get(name);
    if (id === undefined) {
      id = this.label();
      this.frame.gotoLabels.set(name, id);
      this.gotoLabelIds.add(id);
    }
    return id;
  }

  private temp(): string {
    return `$t${++this.temps}`;
  }

  private varName(c: string): string {
    return this.frame.instance ? `${this.frame.instance}:${c}` : c;
  }

  // ---- statements ----

  private statement(node: CNode): void {
    if (node.type === 'compound_statement') {
      for (const c of node.namedChildren) if (c) this.statement(c);
      return;
    }
    if (node.type === 'comment') return;
    const saved = this.src;
    const mark = this.placed.length;
    this.src = this.srcOf(node);
    try {
      this.simpleStatement(node);
    } catch (e) {
      if (!(e instanceof ExtractError)) throw e;
      // the statement stops here: any path into it reaches the error
      this.emit({ op: 'error', error: e });
      for (let id = mark; id < this.placed.length; id++) {
        if (this.placed[id] === undefined && !this.gotoLabelIds.has(id)) this.placed[id] = this.instrs.length - 1;
      }
    } finally {
      this.src = saved;
    }
  }

  private simpleStatement(node: CNode): void {
    if (node.isMissing || node.type === 'ERROR' || node.hasError) this.fail(node, `C that the parser could not read: '${shortText(node)}'`);
    switch (node.type) {
      case 'declaration':
        for (const c of node.namedChildren) {
          if (c?.type !== 'init_declarator') continue;
          const n = declaredName(c.childForFieldName('declarator'));
          const value = c.childForFieldName('value');
          if (n && value && this.isAttrsName(n)) this.assignAttrs('=', value, true);
          else if (n && value) this.assignTo(n, this.expr(value), true);
        }
        return;
      case 'expression_statement': {
        const e = node.namedChildren[0];
        if (e) this.discard(this.expr(e));
        return;
      }
      case 'if_statement': {
        const t = this.label();
        const f = this.label();
        const end = this.label();
        this.cond(node.childForFieldName('condition')!, t, f);
        this.place(t);
        this.statement(node.childForFieldName('consequence')!);
        this.jump(end);
        this.place(f);
        const alt = node.childForFieldName('alternative');
        if (alt) this.statement(alt.type === 'else_clause' ? alt.namedChildren.find((c) => c?.type !== 'comment')! : alt);
        this.place(end);
        return;
      }
      case 'goto_statement':
        this.jump(this.gotoLabel(node.childForFieldName('label')!.text));
        return;
      case 'labeled_statement': {
        const name = node.childForFieldName('label')!.text;
        const id = this.gotoLabel(name);
        if (this.placed[id] !== undefined) this.fail(node, `label ${name} defined twice`);
        this.place(id);
        for (const c of node.namedChildren.slice(1)) if (c) this.statement(c);
        return;
      }
      case 'return_statement': {
        const e = node.namedChildren[0];
        const from = e ? this.expr(e) : undefined;
        if (this.frame.ret) {
          if (from) this.emit({ op: 'copy', dest: this.frame.ret.dest, from });
          this.jump(this.frame.ret.label);
        } else {
          this.emit(from ? { op: 'return', from } : { op: 'return' });
        }
        return;
      }
      case 'while_statement':
      case 'for_statement': {
        const init = node.childForFieldName('initializer');
        if (init) init.type === 'declaration' ? this.simpleStatement(init) : this.discard(this.expr(init));
        const top = this.label();
        const body = this.label();
        const next = this.label();
        const end = this.label();
        this.place(top);
        const c = node.childForFieldName('condition');
        if (c) this.cond(c, body, end);
        this.place(body);
        this.frame.loops.push({ brk: end, cont: next });
        this.statement(node.childForFieldName('body')!);
        this.frame.loops.pop();
        this.place(next);
        const update = node.childForFieldName('update');
        if (update) this.discard(this.expr(update));
        this.jump(top);
        this.place(end);
        return;
      }
      case 'do_statement': {
        const body = this.label();
        const next = this.label();
        const end = this.label();
        this.place(body);
        this.frame.loops.push({ brk: end, cont: next });
        this.statement(node.childForFieldName('body')!);
        this.frame.loops.pop();
        this.place(next);
        this.cond(node.childForFieldName('condition')!, body, end);
        this.place(end);
        return;
      }
      case 'break_statement':
      case 'continue_statement': {
        const loop = this.frame.loops.at(-1);
        if (!loop) this.fail(node, `${node.type.replace('_statement', '')} outside a loop (switch is not supported)`);
        this.jump(node.type === 'break_statement' ? loop.brk : loop.cont);
        return;
      }
      default:
        this.fail(node, `unsupported construct '${node.type.replace(/_/g, ' ')}': the translator handles if/else, goto and labels, return, loops and expression statements`);
    }
  }

  /** A value computed and not used: forget it (so paths that differ only in it merge). */
  private discard(o: Operand): void {
    if ('var' in o && o.var.startsWith('$')) this.emit({ op: 'kill', prefix: o.var });
  }

  private assignTo(name: string, from: Operand, decl: boolean): void {
    const local = this.frame.instance === '' ? LOCALS[name] : undefined;
    if (local) this.emit({ op: 'set', field: local.field, from, decl });
    else this.emit({ op: 'copy', dest: this.varName(name), from });
  }

  // ---- conditions, in C's short-circuit order ----

  private cond(node: CNode, t: number, f: number): void {
    const saved = this.src;
    if (node.type !== 'parenthesized_expression') this.src = { ...this.srcOf(node), text: shortText(node) };
    try {
      this.condInner(node, t, f);
    } finally {
      this.src = saved;
    }
  }

  private condInner(node: CNode, t: number, f: number): void {
    const entry = EXPRESSIONS[squash(node)];
    if (entry) return this.testEntry(entry, squash(node), node, [], t, f);
    switch (node.type) {
      case 'parenthesized_expression':
        return this.cond(node.namedChildren.find((c) => c?.type !== 'comment')!, t, f);
      case 'unary_expression':
        if (node.childForFieldName('operator')?.text === '!') return this.cond(node.childForFieldName('argument')!, f, t);
        break;
      case 'binary_expression': {
        const op = node.childForFieldName('operator')!.text;
        const left = node.childForFieldName('left')!;
        const right = node.childForFieldName('right')!;
        if (op === '&&' || op === '||') {
          const mid = this.label();
          if (op === '&&') this.cond(left, mid, f);
          else this.cond(left, t, mid);
          this.place(mid);
          return this.cond(right, t, f);
        }
        if (op === '&' && this.attrsMask(node)) return this.attrsAny(this.attrsMask(node)!, t, f);
        if ((op === '==' || op === '!=') && this.attrsMask(left) && !isZero(right)) {
          const eq = (x: number, y: number) => this.attrsEquals(node, this.attrsMask(left)!, this.bitsOf(right), x, y);
          return op === '==' ? eq(t, f) : eq(f, t);
        }
        if (op === '==' || op === '!=') {
          const other = isZero(right) ? left : isZero(left) ? right : undefined;
          if (other) return op === '!=' ? this.cond(other, t, f) : this.cond(other, f, t);
        }
        if (['==', '!=', '<', '<=', '>', '>='].includes(op)) {
          this.fail(node, `comparison '${shortText(node)}' is not in the lookup table: add it to EXPRESSIONS in models/extract-table.ts (as a predicate or an abstraction)`);
        }
        break;
      }
      case 'call_expression': {
        const name = node.childForFieldName('function')!;
        const e = name.type === 'identifier' ? FUNCTIONS[name.text] : undefined;
        if (e && (e.meaning === 'predicate' || e.meaning === 'test')) {
          return this.testEntry(e, name.text, node, this.args(node), t, f);
        }
        if (e?.meaning === 'no-effect' && e.returnsArgument !== undefined) {
          this.emit({ op: 'use', key: name.text });
          const arg = this.args(node)[e.returnsArgument];
          if (!arg) this.fail(node, `${name.text}() has no argument ${e.returnsArgument}`);
          return this.cond(arg, t, f);
        }
        break;
      }
    }
    this.emit({ op: 'branch', test: { operand: this.expr(node) }, t, f });
  }

  private testEntry(entry: TableEntry, key: string, node: CNode, args: CNode[], t: number, f: number): void {
    if (entry.meaning === 'predicate') {
      const test = 'guard' in entry ? { guard: entry.guard, key } : { input: entry.input, key };
      this.emit({ op: 'branch', test, t, f });
      return;
    }
    if (entry.meaning === 'test') {
      if (args.length !== 1) this.fail(node, `${key}() takes one argument here`);
      this.emit({ op: 'branch', test: { kindIs: entry.kind, operand: this.expr(args[0]!), key }, t, f });
      return;
    }
    this.emit({ op: 'branch', test: { operand: this.expr(node) }, t, f });
  }

  /** A condition used as a value (`x = a && b`, `return !p`): a temporary set on each side. */
  private materialize(node: CNode): Operand {
    const dest = this.temp();
    const t = this.label();
    const f = this.label();
    const end = this.label();
    this.cond(node, t, f);
    this.place(t);
    this.emit({ op: 'copy', dest, from: { fact: { truthy: true } } });
    this.jump(end);
    this.place(f);
    this.emit({ op: 'copy', dest, from: { fact: { truthy: false } } });
    this.place(end);
    return { var: dest, name: node.text };
  }

  // ---- expressions ----

  private args(call: CNode): CNode[] {
    return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is CNode => !!c && c.type !== 'comment');
  }

  private expr(node: CNode): Operand {
    const key = squash(node);
    const entry = EXPRESSIONS[key];
    if (entry) return this.entryValue(entry, key, node, []);
    switch (node.type) {
      case 'identifier':
        return this.identifier(node);
      case 'null':
        return { fact: CONSTANTS['NULL']! };
      case 'true':
      case 'false':
        return { fact: { truthy: node.type === 'true' } };
      case 'number_literal':
        return { fact: { truthy: !/^0[xX]?0*[uUlL]*$/.test(node.text), kind: 'number' } };
      case 'string_literal':
      case 'concatenated_string':
      case 'char_literal':
        return { fact: { truthy: true } };
      case 'parenthesized_expression':
        return this.expr(node.namedChildren.find((c) => c?.type !== 'comment')!);
      case 'cast_expression':
        return this.expr(node.childForFieldName('value')!);
      case 'call_expression':
        return this.call(node);
      case 'assignment_expression': {
        const op = node.childForFieldName('operator')!.text;
        const target = unparen(node.childForFieldName('left')!);
        if (target.type === 'identifier' && this.isAttrsName(target.text)) {
          this.assignAttrs(op, node.childForFieldName('right')!, false);
          return { fact: {} };
        }
        const value = this.expr(node.childForFieldName('right')!);
        const left = node.childForFieldName('left')!;
        const from: Operand = op === '=' ? value : { fact: {} };
        if (left.type === 'identifier') {
          const name = this.identifier(left);
          if ('fact' in name) this.fail(left, `assignment to '${left.text}', which is not a local`);
          this.assignTo(left.text, from, false);
          // the value of `x = e` is x (the temporary holding e was consumed by the copy)
          return name;
        } else {
          // stores through a pointer or into a field: values dmacheck does not follow
          this.discard(value);
        }
        return from;
      }
      case 'unary_expression': {
        const op = node.childForFieldName('operator')!.text;
        if (op === '!') return this.materialize(node);
        const inner = this.expr(node.childForFieldName('argument')!);
        this.discard(inner);
        return { fact: op === '-' && 'fact' in inner ? { ...inner.fact, kind: 'number' } : {} };
      }
      case 'binary_expression': {
        const op = node.childForFieldName('operator')!.text;
        if (['&&', '||', '==', '!=', '<', '<=', '>', '>='].includes(op) || (op === '&' && this.attrsMask(node))) return this.materialize(node);
        this.discard(this.expr(node.childForFieldName('left')!));
        this.discard(this.expr(node.childForFieldName('right')!));
        return { fact: {} };
      }
      case 'conditional_expression': {
        const dest = this.temp();
        const t = this.label();
        const f = this.label();
        const end = this.label();
        this.cond(node.childForFieldName('condition')!, t, f);
        this.place(t);
        this.emit({ op: 'copy', dest, from: this.expr(node.childForFieldName('consequence')!) });
        this.jump(end);
        this.place(f);
        this.emit({ op: 'copy', dest, from: this.expr(node.childForFieldName('alternative')!) });
        this.place(end);
        return { var: dest, name: node.text };
      }
      case 'pointer_expression': {
        const op = node.childForFieldName('operator')!.text;
        const arg = node.childForFieldName('argument')!;
        if (op === '&') return { fact: { truthy: true } };
        this.discard(this.expr(arg));
        return { fact: {} };
      }
      case 'field_expression':
      case 'subscript_expression':
        this.discard(this.expr(node.childForFieldName('argument')!));
        return { fact: {} };
      case 'sizeof_expression':
        return { fact: {} };
      case 'update_expression': {
        const arg = node.childForFieldName('argument')!;
        if (arg.type === 'identifier' && !('fact' in this.identifier(arg))) this.assignTo(arg.text, { fact: {} }, false);
        return { fact: {} };
      }
      case 'comma_expression':
        this.discard(this.expr(node.childForFieldName('left')!));
        return this.expr(node.childForFieldName('right')!);
      default:
        this.fail(node, `unsupported expression '${node.type.replace(/_/g, ' ')}' in '${shortText(node)}'`);
    }
  }

  private identifier(node: CNode): Operand {
    const name = node.text;
    if (this.frame.vars.has(name)) {
      const local = this.frame.instance === '' ? LOCALS[name] : undefined;
      return local ? { ctx: local.field, name } : { var: this.varName(name), name };
    }
    const c = CONSTANTS[name];
    if (c) return { fact: c };
    if (ATTR_BITS[name]) return { fact: {} };
    // a function's name used as a value (a callback argument)
    if (this.file.functions.has(name) || FUNCTIONS[name]) return { fact: { truthy: true } };
    this.fail(node, `unknown identifier '${name}': add it to CONSTANTS in models/extract-table.ts (or declare it in the function)`);
  }

  private call(node: CNode): Operand {
    const fnNode = node.childForFieldName('function')!;
    if (fnNode.type !== 'identifier') this.fail(node, `call through '${fnNode.text}': only calls of named functions are supported`);
    const name = fnNode.text;
    const entry = FUNCTIONS[name];
    if (entry) return this.entryValue(entry, name, node, this.args(node));
    const defined = this.file.functions.get(name);
    if (defined) return this.inline(defined, node);
    const text = node.text.replace(/\s+/g, '');
    const exprHint = /^[A-Z_0-9]+\(/.test(text) ? ` or '${text}' to EXPRESSIONS` : '';
    this.fail(node, `unknown function '${name}' (not in the lookup table, not defined in ${this.file.file}): add '${name}' to FUNCTIONS${exprHint} in models/extract-table.ts (predicate, call, pure, action, abstraction, test or no-effect)`);
  }

  private entryValue(entry: TableEntry, key: string, node: CNode, args: CNode[]): Operand {
    switch (entry.meaning) {
      case 'predicate':
      case 'test':
        return this.materialize(node);
      case 'call': {
        const outVars = args.map((a) => {
          if (a.type === 'identifier' && this.frame.aliases.has(a.text)) return this.frame.aliases.get(a.text);
          const target = a.type === 'pointer_expression' && a.childForFieldName('operator')?.text === '&' ? a.childForFieldName('argument') : null;
          if (target?.type !== 'identifier') return undefined;
          const v = this.identifier(target);
          return 'var' in v ? v.var : undefined;
        });
        const operands = args.map((a) => this.expr(a));
        const dest = this.temp();
        if (!entry.only) {
          this.emit({ op: 'call', key, entry, dest, args: operands, outVars });
          return { var: dest, name: node.text };
        }
        const call = this.label();
        const skip = this.label();
        const end = this.label();
        this.emit({ op: 'branch', test: { guard: entry.only.guard, key }, t: call, f: skip });
        this.place(call);
        this.emit({ op: 'call', key, entry, dest, args: operands, outVars });
        this.jump(end);
        this.place(skip);
        this.emit({ op: 'use', key, abstraction: entry.only.abstraction });
        this.emit({ op: 'copy', dest, from: { fact: entry.only.value } });
        this.place(end);
        return { var: dest, name: node.text };
      }
      case 'pure':
        for (const a of args) this.discard(this.expr(a));
        this.emit({ op: 'use', key });
        return { fact: entry.value };
      case 'action': {
        for (const a of args) this.discard(this.expr(a));
        if (!entry.whenAttrs) {
          this.emit({ op: 'action', key, action: entry.action });
          return { fact: entry.value };
        }
        const word = args[entry.whenAttrs.arg];
        if (!word || !this.isAttrs(word)) this.fail(node, `${key}(): argument ${entry.whenAttrs.arg} must be the entry point's ${ATTRS} for the table's bit test`);
        const act = this.label();
        const end = this.label();
        this.attrsAny(entry.whenAttrs.bits, act, end);
        this.place(act);
        this.emit({ op: 'action', key, action: entry.action });
        this.place(end);
        return { fact: entry.value };
      }
      case 'abstraction':
        this.emit({ op: 'use', key, abstraction: entry.abstraction });
        return { fact: entry.value };
      case 'entry': {
        for (const a of args) this.discard(this.expr(a));
        const dest = this.temp();
        this.emit({ op: 'enter', key, callee: entry.entry, dest });
        return { var: dest, name: node.text };
      }
      case 'no-effect':
        if (entry.returnsArgument !== undefined) return this.materialize(node);
        this.emit({ op: 'use', key });
        return { fact: entry.value ?? {} };
    }
  }

  /** A function of the file, inlined: its parameters bound to the arguments, its returns into a temporary. */
  private inline(fn: CFunction, node: CNode): Operand {
    if (this.inlining.includes(fn.name) || fn.name === this.frame.chain.split(' > ')[0]) {
      this.fail(node, `recursive call of ${fn.name}(): not supported`);
    }
    const args = this.args(node);
    if (args.length !== fn.params.length) this.fail(node, `${fn.name}() takes ${fn.params.length} arguments, given ${args.length}`);
    const operands = args.map((a) => this.expr(a));
    const n = (this.instances.get(fn.name) ?? 0) + 1;
    this.instances.set(fn.name, n);
    const instance = `${fn.name}${n}`;
    const dest = `$r${instance}`;
    const end = this.label();
    const outer = this.frame;
    // a helper's parameter bound to the caller's attrs sees the same bits; one bound to `&v` stands for v
    const attrs = fn.params.find((_, i) => this.isAttrs(args[i]!));
    const aliases = new Map<string, string>();
    fn.params.forEach((p, i) => {
      const a = unparen(args[i]!);
      const target = a.type === 'pointer_expression' && a.childForFieldName('operator')?.text === '&' ? a.childForFieldName('argument') : null;
      const v = target?.type === 'identifier' ? this.identifier(target) : undefined;
      if (v && 'var' in v) aliases.set(p, v.var);
    });
    this.frame = this.newFrame(fn, instance, `${outer.chain} > ${fn.name}`, { label: end, dest }, { aliases, ...(attrs ? { attrs } : {}) });
    this.inlining.push(fn.name);
    fn.params.forEach((p, i) => this.emit({ op: 'copy', dest: this.varName(p), from: operands[i]! }));
    try {
      this.statement(fn.body);
      this.jump(end);
      this.place(end);
      this.emit({ op: 'kill', prefix: `${instance}:` });
    } finally {
      this.inlining.pop();
      this.frame = outer;
    }
    return { var: dest, name: `${fn.name}()` };
  }

  // ---- the attrs word: its bits are tested and set one by one (models/extract-table.ts ATTR_BITS) ----

  private isAttrsName(name: string): boolean {
    return this.frame.attrs === name;
  }

  private isAttrs(node: CNode): boolean {
    const n = unparen(node);
    return n.type === 'identifier' && this.isAttrsName(n.text);
  }

  /** The bits of a constant mask `A | B | ...`, each known to ATTR_BITS. */
  private bitsOf(node: CNode): string[] {
    const n = unparen(node);
    if (n.type === 'binary_expression' && n.childForFieldName('operator')!.text === '|') {
      return [...this.bitsOf(n.childForFieldName('left')!), ...this.bitsOf(n.childForFieldName('right')!)];
    }
    if (n.type === 'identifier' && ATTR_BITS[n.text]) return [n.text];
    this.fail(n, `'${n.text}' is not an attrs bit the lookup table knows: add it to ATTR_BITS in models/extract-table.ts`);
  }

  /** The bits of `attrs & MASK`, or undefined if `node` is not such a test. */
  private attrsMask(node: CNode): string[] | undefined {
    const n = unparen(node);
    if (n.type !== 'binary_expression' || n.childForFieldName('operator')!.text !== '&') return undefined;
    const left = n.childForFieldName('left')!;
    const right = n.childForFieldName('right')!;
    if (this.isAttrs(left)) return this.bitsOf(right);
    if (this.isAttrs(right)) return this.bitsOf(left);
    return undefined;
  }

  /** Branch on one bit: to `t` if set, `f` if clear. */
  private attrsBit(name: string, t: number, f: number): void {
    const bit: AttrBit = ATTR_BITS[name]!;
    if ('clear' in bit) {
      this.emit({ op: 'use', key: name, abstraction: bit.clear });
      this.jump(f);
    } else if ('input' in bit) {
      this.emit({ op: 'branch', test: { input: bit.input, key: `${ATTRS}&${name}` }, t, f });
    } else {
      const caller = this.attrsParam ? CALLER_ATTRS[this.frame.chain.split(' > ')[0]!] : undefined;
      const start = !this.attrsParam ? {}
        : caller?.field === bit.field ? { caller: { key: `${ATTRS}&${name}`, input: caller.input } }
        : { start: { key: ATTRS, abstraction: ATTRS_START } };
      this.emit({ op: 'branch', test: { operand: { ctx: bit.field, name }, ...start }, t, f });
    }
  }

  /** `attrs & (A | B ...)`: to `t` if any of the bits is set. */
  private attrsAny(bits: readonly string[], t: number, f: number): void {
    // two bits kept in one field (DMA_ATTR_CC_SHARED, __DMA_ATTR_ALLOC_CC_SHARED) are one test
    const field = (b: string) => { const e = ATTR_BITS[b]!; return 'field' in e ? e.field : b; };
    for (const b of bits.filter((x, i) => bits.findIndex((y) => field(y) === field(x)) === i)) {
      const next = this.label();
      this.attrsBit(b, t, next);
      this.place(next);
    }
    this.jump(f);
  }

  /** `(attrs & MASK) == VALUE`: to `t` if the bits of VALUE are set and the rest of MASK clear. */
  private attrsEquals(node: CNode, mask: readonly string[], value: readonly string[], t: number, f: number): void {
    const stray = value.find((v) => !mask.includes(v));
    if (stray) this.fail(node, `attrs bit ${stray} compared outside its mask: always false`);
    for (const b of mask) {
      const next = this.label();
      if (value.includes(b)) this.attrsBit(b, next, f);
      else this.attrsBit(b, f, next);
      this.place(next);
    }
    this.jump(t);
  }

  /** `attrs |= BITS`, or `attrs = 0`: each context bit set (cleared); a bit the caller owns cannot be set here. */
  private assignAttrs(op: string, right: CNode, decl: boolean): void {
    if (op === '=' && isZero(unparen(right))) {
      const fields = new Set(Object.values(ATTR_BITS).flatMap((b) => ('field' in b ? [b.field] : [])));
      for (const field of fields) this.emit({ op: 'set', field, from: { fact: { truthy: false } }, decl });
      return;
    }
    if (op !== '|=') this.fail(right, `'${ATTRS} ${op} ${right.text}': only 'attrs |= BITS' and 'attrs = 0' are supported`);
    for (const name of this.bitsOf(right)) {
      const bit = ATTR_BITS[name]!;
      if (!('field' in bit)) this.fail(right, `'${ATTRS} |= ${name}': ${name} is ${'input' in bit ? `the caller's (input ${bit.input})` : 'taken as clear'} in ATTR_BITS, so it cannot be set here`);
      this.emit({ op: 'set', field: bit.field, from: { fact: { truthy: true } }, decl: false });
    }
  }
}
