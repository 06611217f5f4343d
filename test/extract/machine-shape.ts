/**
 * How the extractor tests read a machine: `state: transitions` lines, the
 * shape a reviewer reads (`[guard]`, `else`, an outcome event, `/actions`,
 * `final RETURNS [leak]`).
 */
import type { ExtractedMachine } from '../../src/extract/translate.ts';

export function shape(m: ExtractedMachine): string[] {
  return m.states.map((s) => `${s.name}: ${s.final ? `final ${s.meta.returns}${s.meta.leak ? ' leak' : ''}` : s.transitions
    .map((t) => `${t.event ?? (t.guard ? `[${t.guard}]` : 'else')}${t.actions ? `/${t.actions.join(',')}` : ''}->${t.target}`).join(' ')}`);
}
