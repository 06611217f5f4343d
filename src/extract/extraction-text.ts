/**
 * What `dmacheck extract` prints: for each machine its states (meta.source
 * first, so a reviewer reads the tree's own lines), transitions, the
 * lookup-table entries used and the abstractions applied.
 */
import type { FileExtraction } from './extract-file.ts';
import type { ExtractedMachine, ExtractedTransition } from './translate.ts';

function transitionText(t: ExtractedTransition): string {
  const when = t.event ? `on ${t.event}` : t.guard ? `if ${t.guard}` : 'else';
  return `${when}${t.actions?.length ? ` / ${t.actions.join(', ')}` : ''} -> ${t.target}`;
}

function machineText(m: ExtractedMachine): string[] {
  const finals = m.states.filter((s) => s.final).length;
  const out = [`${m.id} (${m.file}:${m.line}): ${m.states.length} states, ${finals} final, initial ${m.initial}`];
  for (const s of m.states) {
    const what = s.final
      ? `final, returns ${s.meta.returns}${s.meta.leak ? ', leak' : ''}`
      : s.meta.call ? `call ${s.meta.call}${s.meta.arg ? `(${s.meta.arg})` : ''}` : s.transitions.some((t) => t.guard) ? 'decision' : 'action';
    out.push(`  ${s.name}  [${what}]`, `      ${s.meta.source}`);
    for (const t of s.transitions) out.push(`      ${transitionText(t)}`);
  }
  out.push(`  table entries used: ${m.tableUsed.join(', ') || '-'}`);
  out.push('  abstractions applied:', ...(m.abstractions.length ? m.abstractions.map((a) => `    ABSTRACTION: ${a}`) : ['    -']));
  if (m.unreached.length) out.push('  not translated (no path reaches them under the table):', ...m.unreached.map((u) => `    ${u}`));
  return out;
}

export function extractionText(files: readonly FileExtraction[]): string {
  return files.flatMap((f) => f.machines.flatMap((m) => [...machineText(m), ''])).join('\n').trimEnd();
}
