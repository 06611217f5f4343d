/**
 * What `dmacheck replay` prints: the verdict in one line, how the path on
 * the replayed version differs from the recording, and for a divergence
 * both sides of the step (what the trace recorded, what the version offers
 * there), in the mail format's 72 columns; or the same as JSON.
 */
import type { Trace, TraceStep } from '../check/trace.ts';
import { replayExitCode, type AfterTrace, type ReplayVerdict } from './replay.ts';
import { MAIL_WIDTH } from './render-mail.ts';
import { wrap } from './text.ts';
import { stepLines } from './trace-report.ts';

/** `reproduced`, `fixed`, `diverged at step 3`, ... */
export function verdictWord(v: ReplayVerdict): string {
  return v.verdict === 'diverged' ? `diverged at step ${v.step}` : v.verdict;
}

function stepBlock(s: TraceStep, indent: number, width: number): string[] {
  const head = s.event === 'CALL' ? `CPU${s.thread}:` : `CPU${s.thread} in ${s.call}:`;
  const body = stepLines(s).flatMap((l) => wrap(l.text, width - indent - 2, l.kind === 'change' || l.kind === 'position' ? 2 : 3));
  return [`${' '.repeat(indent)}${head}`, ...body.map((l) => `${' '.repeat(indent + 2)}${l}`)];
}

/** What was explored after the recorded steps, in words. */
function afterWords(a: AfterTrace): string {
  return `the rest of the programs (${a.remaining.join('; ')}) was run from there in every interleaving and with every ` +
    `environment outcome (${a.states} states${a.complete ? '' : '; stopped at the state bound before the end'})`;
}

export function renderVerdict(trace: Trace, v: ReplayVerdict, width = MAIL_WIDTH): string {
  const id = `${trace.property} (${trace.severity})`;
  const para = (text: string, indent = 0) => wrap(text, width - indent).map((l) => ' '.repeat(indent) + l);
  const out: string[] = [];
  switch (v.verdict) {
    case 'reproduced':
      out.push(...para(`reproduced: on ${v.version}, ${id} is violated ${v.extra ? `at an extra step before step ${v.step}` : `at step ${v.step}`}` +
        `${v.version === trace.run.version && v.adjustments.length === 0 ? ', as recorded' : ''}.`));
      break;
    case 'other violation':
      out.push(...para(`other violation: on ${v.version}, ${id} does not happen, but ${v.violations.map((x) => x.replace('/', ' (') + ')').join(', ')} ` +
        `${v.violations.length > 1 ? 'are' : 'is'} violated ${v.extra ? `at an extra step before step ${v.step}` : `at step ${v.step}`}.`));
      break;
    case 'fixed':
      out.push(...para(`fixed: on ${v.version}, the ${v.steps} recorded steps run without violating any invariant, ` +
        (v.after.remaining.length ? `and no violation is reachable from where they end: ${afterWords(v.after)}.` : 'and every CPU has finished its program there.')));
      break;
    case 'violated later':
      out.push(...para(`violated later: on ${v.version}, the ${v.steps} recorded steps run without violating any invariant, ` +
        `but ${v.violations.map((x) => x.replace('/', ' (') + ')').join(', ')} ${v.violations.length > 1 ? 'are' : 'is'} reachable from where they end: ` +
        `${afterWords(v.after)}.`));
      out.push('', `Shortest continuation to ${v.violations[0]!.replace('/', ' (')}):`);
      v.continuation.forEach((l, i) => out.push(...wrap(l, width - 8).map((x, j) => `${j === 0 ? String(v.steps + i + 1).padStart(5) + '  ' : '       '}${x}`)));
      break;
    case 'not applicable':
      out.push(...para(`not applicable: the trace cannot run on ${v.version}: ${v.reason}.`));
      break;
    case 'diverged':
      out.push(...para(`diverged at step ${v.step}: ${v.version} cannot take the step as recorded: ${v.reason}.`));
      break;
  }
  if (v.adjustments.length) {
    out.push('', `How the path on ${v.version} differs from the trace:`);
    for (const a of v.adjustments) out.push(...wrap(a, width - 4).map((l, i) => `${i === 0 ? '  - ' : '    '}${l}`));
  }
  if (v.verdict === 'diverged') {
    out.push('', `Recorded on ${trace.run.version}, step ${v.step}:`, ...stepBlock(v.recorded, 2, width));
    out.push('', `${v.version} offers there:`);
    if (v.offered.length === 0) out.push('  nothing: every CPU has finished its program');
    for (const o of v.offered) out.push(...stepBlock(o, 2, width));
  }
  return out.join('\n') + '\n';
}

/** The verdict as plain data (`dmacheck replay --json`): `verdict` is one of the five words, `step` says where. */
export function verdictJson(trace: Trace, file: string, v: ReplayVerdict): Record<string, unknown> {
  return {
    file,
    trace: { version: trace.run.version, platform: trace.run.platform, device: trace.run.deviceKey, property: trace.property, severity: trace.severity, steps: trace.steps.length },
    ...v,
    exitCode: replayExitCode(v),
  };
}
