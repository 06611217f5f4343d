/** `dmacheck merge`: combine shard results into the result of the whole matrix. */
import { exitCodeOf } from '../../check/results.ts';
import { loadResults } from '../../check/load-results.ts';
import { mergeShards } from '../../check/merge.ts';
import { UsageError } from '../../check/selection.ts';
import { summaryTable } from '../../report/summary.ts';
import { timestampDir, writeReports } from '../../report/write.ts';
import type { Command } from '../command.ts';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine the results.json of verify --shard i/n runs into one result (same as an unsharded run)',
  positionals: 'RESULTS...',
  options: [
    { name: 'out', type: 'string', description: 'directory for the merged reports', default: 'reports/<timestamp>/', example: 'reports/merged' },
    { name: 'json', type: 'boolean', description: 'print the merged results JSON on stdout', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (!positionals.length) throw new UsageError('merge needs the results.json files (or report directories) of the shards');
    const merged = mergeShards(positionals.map((path) => ({ path, results: loadResults(path) })));
    const files = await writeReports((values['out'] as string | undefined) ?? timestampDir(), merged);
    if (values['json']) io.out(JSON.stringify(merged, null, 1));
    else {
      io.out(summaryTable(merged));
      io.out(`${merged.complete ? '' : `INCOMPLETE (${merged.incompleteReason}): `}merged ${positionals.length} shard(s): ${merged.totals.runsDone} runs; reports: ${files.join(', ')}`);
    }
    return exitCodeOf(merged);
  },
};
