/** `dmacheck verify`: exhaustive verification of a selection; writes results.json and summary.md. */
import { availableParallelism } from 'node:os';
import { parseBound, parseSelection, UsageError } from '../../check/selection.ts';
import { exitCodeOf } from '../../check/results.ts';
import { verify } from '../../check/verify.ts';
import { summaryTable } from '../../report/summary.ts';
import { timestampDir, writeReports } from '../../report/write.ts';
import type { Command, OptionSpec } from '../command.ts';
import { progress } from '../progress.ts';

export const SELECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'versions', type: 'string', description: 'comma list of kernel versions', default: 'all', example: 'baseline,v2-p1' },
  { name: 'platforms', type: 'string', description: 'comma list of platforms', default: 'all', example: 'cca,tdx' },
  { name: 'threads', type: 'string', description: 'threads (CPUs) per run, 1-3', default: '2', example: '3' },
  { name: 'calls', type: 'string', description: 'entry-point calls per thread, 1-8', default: '3', example: '4' },
  { name: 'workers', type: 'string', description: 'worker threads', default: 'number of cores', example: '2' },
  { name: 'json', type: 'boolean', description: 'print the results JSON on stdout', default: 'false' },
  { name: 'out', type: 'string', description: 'directory for the reports', default: 'reports/<timestamp>/', example: 'reports/tonight' },
];

export const VERIFY_OPTIONS: readonly OptionSpec[] = [
  ...SELECTION_OPTIONS,
  { name: 'properties', type: 'string', description: 'comma list of properties', default: 'all', example: 'no-double-decrypt' },
  { name: 'device', type: 'string', description: 'restrict device configurations: coherent=0|1, pool=none|own|shared, gfp=blocking|atomic, nkm=0|1, mask=below|above', default: 'all', example: 'pool=own,gfp=atomic' },
  { name: 'entry-points', type: 'string', description: 'restrict programs to these calls', default: 'all', example: 'dma_direct_alloc,dma_direct_free' },
  { name: 'quiet', type: 'boolean', description: 'print nothing but the result', default: 'false' },
];

export function workersOf(v: string | boolean | undefined): number {
  return parseBound('--workers', v as string | undefined, 1, 64, availableParallelism());
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'explore every interleaving within the bound and check every property',
  options: VERIFY_OPTIONS,
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (verify takes only options)`);
    const selection = parseSelection({
      versions: values['versions'] as string | undefined,
      platforms: values['platforms'] as string | undefined,
      properties: values['properties'] as string | undefined,
      device: values['device'] as string | undefined,
      entryPoints: values['entry-points'] as string | undefined,
      threads: values['threads'] as string | undefined,
      calls: values['calls'] as string | undefined,
    });
    const workers = workersOf(values['workers']);
    const quiet = Boolean(values['quiet']) || Boolean(values['json']);
    const bar = progress(io, 'verify', quiet);
    const res = await verify({ selection, workers, onProgress: (p) => bar.update(p) });
    bar.finish();
    const dir = (values['out'] as string | undefined) ?? timestampDir();
    const files = writeReports(dir, res);
    if (values['json']) io.out(JSON.stringify(res, null, 1));
    else {
      if (!values['quiet']) io.out(summaryTable(res));
      io.out(`${res.complete ? '' : 'INCOMPLETE: '}${res.totals.runsDone} runs, ${res.totals.states} states in ${res.timing?.seconds.toFixed(1)}s; reports: ${files.join(', ')}`);
    }
    return exitCodeOf(res);
  },
};
