/**
 * summary.md: the version x property table with counts of violating runs
 * (effective / latent), then the shortest counterexample of each violation.
 * Suitable for a CI job summary.
 */
import type { Results } from '../check/results.ts';

const cell = (r: Results['results'][number]): string =>
  r.verdict === 'holds' ? 'holds' : `**violated** ${r.violatingRuns.effective}E/${r.violatingRuns.latent}L`;

/** The version x property table (Markdown). */
export function summaryTable(res: Results): string {
  const props = res.selection.properties;
  const lines = [`| version | ${props.join(' | ')} |`, `|---|${props.map(() => '---').join('|')}|`];
  for (const v of res.selection.versions) {
    const row = props.map((p) => cell(res.results.find((r) => r.version === v && r.property === p)!));
    lines.push(`| ${v} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function summaryMarkdown(res: Results): string {
  const s = res.selection;
  const out: string[] = [];
  out.push(`# dmacheck verification summary${res.complete ? '' : ' (INCOMPLETE)'}`, '');
  if (!res.complete) out.push(`> **INCOMPLETE**: ${res.incompleteReason ?? 'partial result'}. Verdicts cover only the runs that finished.`, '');
  out.push(
    `Bound: ${s.threads} thread(s), ${s.calls} call(s) per thread. Runs: ${res.totals.runsDone}/${res.totals.runs}` +
      `${res.shard ? ` (shard ${res.shard.index}/${res.shard.count})` : ''}; states: ${res.totals.states}; transitions: ${res.totals.transitions}.`,
    '',
    'Cells: `holds`, or `violated` with the number of violating runs, E = effective (observable on the platform), L = latent.',
    '',
    summaryTable(res),
    '',
  );
  const violated = res.results.filter((r) => r.verdict === 'violated');
  if (violated.length) out.push('## Shortest counterexamples', '');
  for (const r of violated) {
    out.push(`### ${r.version}: ${r.property}`, '', '| platform | device | severity | runs | steps |', '|---|---|---|---|---|');
    for (const g of r.violations) out.push(`| ${g.platform} | \`${g.device}\` | ${g.severity} | ${g.runs} | ${g.depth} |`);
    out.push('');
    for (const sev of ['effective', 'latent'] as const) {
      const best = r.violations.filter((g) => g.severity === sev).sort((a, b) => a.depth - b.depth || a.runIndex - b.runIndex)[0];
      if (!best) continue;
      out.push(`Shortest ${sev} (${best.platform}, \`${best.device}\`): ${best.trace.message}`, '');
      for (const st of best.trace.steps)
        out.push(`${st.step}. CPU${st.thread} ${st.call} ${st.event}${st.page ? `(${st.page})` : ''}: ${st.changes.join('; ') || '-'}`);
      out.push('');
    }
  }
  out.push('## Reachability', '');
  const unreached = res.reachability.filter((r) => r.unreached.length || r.unexpectedlyReached.length);
  if (!unreached.length) out.push('Every state and transition of every selected entry point was reached, except those known to be unreachable in the modelled matrix (listed in results.json).');
  const listIds = unreached.reduce((n, r) => n + r.unreached.length, 0) <= 40;
  if (unreached.length && !listIds)
    out.push('Obligations never reached by this selection (a restricted selection leaves many paths out; the ids are in results.json):', '');
  for (const r of unreached) {
    out.push(`- ${r.version} ${r.entryPoint}: ${r.reached}/${r.obligations} reached, ${r.unreached.length} never reached${listIds ? ' (model bug or bound too small):' : ''}`);
    if (listIds) for (const id of r.unreached) out.push(`  - \`${id}\``);
    for (const id of r.unexpectedlyReached) out.push(`  - reached although listed as unreachable: \`${id}\``);
  }
  if (res.excluded.length) {
    out.push('', '## Excluded configurations', '');
    const reasons = new Map<string, number>();
    for (const e of res.excluded) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
    for (const [reason, n] of reasons) out.push(`- ${n} configuration(s): ${reason}`);
  }
  return out.join('\n') + '\n';
}
