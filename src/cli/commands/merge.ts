/** `dmacheck merge`: combine shard results into the result of the whole matrix. */
import { loadResults } from '../../check/load-results.ts';
import { mergeShards } from '../../check/merge.ts';
import { UsageError } from '../../check/selection.ts';
import { consoleTable } from '../../report/console-table.ts';
import { timestampDir, writeReports } from '../../report/write.ts';
import { incompleteNote, resultsExitCode, type Command } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine the results.json of verify --shard i/n runs into one result (same as an unsharded run)',
  positionals: 'RESULTS...',
  options: [
    { name: 'out', type: 'string', value: 'DIR', description: 'directory for the merged reports', default: 'reports/<timestamp>/', example: 'reports/merged' },
    { name: 'json', type: 'boolean', description: 'print the merged results JSON on stdout', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (!positionals.length) throw new UsageError('merge needs the results.json files (or report directories) of the shards');
    const dir = (values['out'] as string | undefined) ?? timestampDir();
    checkOutDir(dir);
    const merged = mergeShards(positionals.map((path) => ({ path, results: loadResults(path) })));
    const files = await writeReports(dir, merged);
    if (values['json']) io.out(JSON.stringify(merged, null, 1));
    else {
      io.out(consoleTable(merged));
      io.out(`${incompleteNote(merged)}merged ${positionals.length} shard(s): ${merged.totals.runsDone} runs; reports: ${files.join(', ')}`);
    }
    return resultsExitCode(merged);
  },
};
