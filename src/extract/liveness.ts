/**
 * Which variables each lowered instruction may still read later (backward
 * liveness over the jumps). The translation forgets what it knows about a
 * dead variable, so paths that differ only in values nobody reads again
 * share their states. Whether a path assigned a machine-context local
 * matters only to a later declaration of it (`bool remap = false` costs no
 * state while the context still holds the initial false) and to a test of
 * an attrs bit the caller may pass (CALLER_ATTRS).
 */
import type { Instr, Operand } from './lower.ts';

function successors(ins: Instr, pc: number): number[] {
  switch (ins.op) {
    case 'jump': return [ins.to];
    case 'branch': return [ins.t, ins.f];
    case 'return':
    case 'error': return [];
    default: return [pc + 1];
  }
}

function reads(ins: Instr): Operand[] {
  switch (ins.op) {
    case 'copy':
    case 'set': return [ins.from];
    case 'branch': return 'operand' in ins.test ? [ins.test.operand] : [];
    case 'call': return [...ins.args];
    case 'return': return ins.from ? [ins.from] : [];
    default: return [];
  }
}

function writes(ins: Instr): string[] {
  if (ins.op === 'copy') return [ins.dest];
  if (ins.op === 'call') return [ins.dest, ...ins.outVars.filter((v): v is string => v !== undefined)];
  if (ins.op === 'enter') return [ins.dest];
  return [];
}

/** The liveness name of a machine-context local (whether the path assigned it matters only while a test may read it). */
export function ctxKey(field: string): string {
  return `ctx:${field}`;
}

/** live[pc]: the variables that may be read at or after pc before being written. */
export function liveVariables(instrs: readonly Instr[]): ReadonlySet<string>[] {
  const live = instrs.map(() => new Set<string>());
  for (let changed = true; changed; ) {
    changed = false;
    for (let pc = instrs.length - 1; pc >= 0; pc--) {
      const ins = instrs[pc]!;
      const out = new Set<string>();
      for (const s of successors(ins, pc)) for (const v of live[s] ?? []) out.add(v);
      for (const w of writes(ins)) out.delete(w);
      for (const r of reads(ins)) if ('var' in r) out.add(r.var);
      // a declaration's initialiser asks whether the context field was assigned before
      if (ins.op === 'set' && ins.decl) out.add(ctxKey(ins.field));
      // a test of a bit the caller may pass asks whether the path set it (else it reads the caller's)
      if (ins.op === 'branch' && 'caller' in ins.test && ins.test.caller && 'ctx' in ins.test.operand) out.add(ctxKey(ins.test.operand.ctx));
      if (out.size !== live[pc]!.size) {
        live[pc] = out;
        changed = true;
      }
    }
  }
  return live;
}
