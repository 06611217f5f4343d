/** `dmacheck verify`: exhaustive verification of a selection; writes results.json and summary.md. */
import { availableParallelism, totalmem } from 'node:os';
import { MIN_MEMORY_PER_WORKER, parseBound, parseMemorySize, parseSelection, UsageError, type SelectionFlags } from '../../check/selection.ts';
import { checkRunsSelected, verify } from '../../check/verify.ts';
import { consoleTable } from '../../report/console-table.ts';
import { timestampDir, writeReports } from '../../report/write.ts';
import { incompleteNote, resultsExitCode, type Command, type OptionSpec, type OptionValues } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { progress } from '../progress.ts';
import { onStopSignals } from '../signals.ts';
import { loadResume, type SelectionField } from '../../nightly/resume.ts';

export const SELECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'versions', type: 'string', value: 'IDS', description: 'comma list of kernel versions', default: 'all', example: 'baseline,v2-p1' },
  { name: 'platforms', type: 'string', value: 'IDS', description: 'comma list of platforms', default: 'all', example: 'cca,tdx' },
  { name: 'threads', type: 'string', value: 'N', description: 'threads (CPUs) per run, 1-3', default: '2', example: '3' },
  { name: 'calls', type: 'string', value: 'N', description: 'entry-point calls per thread, 1-8', default: '3', example: '4' },
  { name: 'workers', type: 'string', value: 'N', description: 'worker threads', default: 'number of cores', example: '2' },
  { name: 'json', type: 'boolean', description: 'print the results JSON on stdout', default: 'false' },
  { name: 'out', type: 'string', value: 'DIR', description: 'directory for the reports', default: 'reports/<timestamp>/', example: 'reports/tonight' },
];

export const EXPLORE_OPTIONS: readonly OptionSpec[] = [
  { name: 'no-symmetry', type: 'boolean', description: 'turn off symmetry reduction (identical threads, interchangeable pages)', default: 'false' },
  { name: 'no-por', type: 'boolean', description: 'turn off partial-order reduction of thread-local steps', default: 'false' },
  { name: 'hash-compact', type: 'boolean', description: 'store 64-bit fingerprints only (for very large runs); reports the probability that a state was missed', default: 'false (exact)' },
  { name: 'max-memory', type: 'string', value: 'SIZE', description: `stop a run cleanly (result marked incomplete, exit 4) before its state tables and step memo would hold more than this, shared among the workers; MiB, or with a K, M or G suffix; at least ${MIN_MEMORY_PER_WORKER / 1024}K per worker`, default: '75% of RAM', example: '8G' },
];

/** Parse `--max-memory` (the syntax of parseMemorySize); absent: 75% of RAM. */
export function parseMemory(text: string | undefined): number {
  return text === undefined ? Math.floor(totalmem() * 0.75) : parseMemorySize('--max-memory', text);
}

/** Parse `--shard i/n`. */
export function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`bad --shard '${text}' (valid: i/n with 1 <= i <= n, e.g. 2/3)`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** The exploration settings of the explore flags, for `workers` workers. */
export function exploreSettings(values: OptionValues, workers: number, flag = '--max-memory') {
  const text = values['max-memory'] as string | undefined;
  const maxMemory = text === undefined ? parseMemory(undefined) : parseMemorySize(flag, text);
  const perWorker = Math.floor(maxMemory / Math.max(1, workers));
  if (perWorker < MIN_MEMORY_PER_WORKER)
    throw new UsageError(`${flag} '${text}' is too small to run anything: at least ${MIN_MEMORY_PER_WORKER / 1024}K per worker ` +
      `(${Math.max(1, workers)} worker(s): ${(Math.max(1, workers) * MIN_MEMORY_PER_WORKER) / 1024}K or more)`);
  return {
    explore: { maxBytes: perWorker, ...(values['hash-compact'] ? { hashCompact: true } : {}) },
    reductions: { symmetry: !values['no-symmetry'], por: !values['no-por'] },
  };
}

export const VERIFY_OPTIONS: readonly OptionSpec[] = [
  ...SELECTION_OPTIONS,
  { name: 'properties', type: 'string', value: 'IDS', description: 'comma list of properties', default: 'all', example: 'no-double-decrypt' },
  { name: 'device', type: 'string', value: 'KNOBS', description: 'restrict device configurations: coherent=0|1, pool=none|own|shared, gfp=blocking|atomic, nkm=0|1, mask=below|above', default: 'all', example: 'pool=own,gfp=atomic' },
  { name: 'entry-points', type: 'string', value: 'NAMES', description: 'restrict programs to these calls', default: 'all', example: 'dma_direct_alloc,dma_direct_free' },
  { name: 'quiet', type: 'boolean', description: 'print nothing but the result', default: 'false' },
  ...EXPLORE_OPTIONS,
  { name: 'shard', type: 'string', value: 'I/N', description: 'run only the deterministic slice i of n of the runs (combine with dmacheck merge)', default: 'all runs', example: '2/3' },
  { name: 'resume', type: 'string', value: 'DIR', description: 'continue an interrupted run from DIR/results.json with its selection, running only the unfinished runs; reports go to DIR unless --out', example: 'reports/2026-11-23T23-59-00Z' },
];

/** Flags that select runs, and their selection field (a --resume takes its selection from the interrupted run; flags given again must match). */
const SELECTION_FLAGS: Readonly<Record<string, SelectionField>> = {
  versions: 'versions', platforms: 'platforms', properties: 'properties', device: 'device', 'entry-points': 'entryPoints', threads: 'threads', calls: 'calls',
};

/** The selection flags given on the command line, as `parseSelection` takes them. */
export function selectionFlagsOf(values: OptionValues): SelectionFlags {
  const flags: Record<string, string | undefined> = {};
  for (const [flag, field] of Object.entries(SELECTION_FLAGS)) flags[field] = values[flag] as string | undefined;
  return flags as SelectionFlags;
}

export function workersOf(v: OptionValues[string]): number {
  return parseBound('--workers', v as string | undefined, 1, 64, availableParallelism());
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'explore every interleaving within the bound and check every property',
  options: VERIFY_OPTIONS,
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (verify takes only options)`);
    let selection = parseSelection(selectionFlagsOf(values));
    const workers = workersOf(values['workers']);
    const settings = exploreSettings(values, workers);
    const quiet = Boolean(values['quiet']) || Boolean(values['json']);
    const bar = progress(io, 'verify', quiet);
    let shard = parseShard(values['shard'] as string | undefined);
    const resumeDir = values['resume'] as string | undefined;
    const resume = resumeDir === undefined ? undefined
      : loadResume(resumeDir, selection, shard, Object.entries(SELECTION_FLAGS).filter(([flag]) => values[flag] !== undefined).map(([, field]) => field));
    if (resume) ({ selection, shard } = resume);
    checkRunsSelected(selection);
    const dir = (values['out'] as string | undefined) ?? resumeDir ?? timestampDir();
    checkOutDir(dir);
    const signals = onStopSignals(io);
    let res;
    try {
      res = await verify({
        selection, workers, ...settings, ...(shard ? { shard } : {}), onProgress: (p) => bar.update(p),
        shouldStop: () => signals.stopped, ...(resume ? { resume: resume.previous } : {}),
      });
    } finally {
      bar.finish();
      signals.dispose();
    }
    const files = await writeReports(dir, res);
    if (values['json']) io.out(JSON.stringify(res, null, 1));
    else {
      if (!values['quiet']) io.out(consoleTable(res));
      io.out(`${incompleteNote(res)}${res.totals.runsDone} runs, ${res.totals.states} states in ${res.timing?.seconds.toFixed(1)}s; reports: ${files.join(', ')}`);
    }
    if (signals.exitCode !== undefined) {
      io.err(`dmacheck verify: interrupted; continue with: dmacheck verify --resume ${dir}`);
      return signals.exitCode;
    }
    return resultsExitCode(res);
  },
};
