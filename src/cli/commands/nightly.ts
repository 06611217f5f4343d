/**
 * `dmacheck nightly`: the configured matrix, the full report set in
 * reports/<date>/, and the comparison with the previous night.
 * Exit codes: 0 nothing new is violated, 1 a new violation (without
 * --previous every violation is new), 2 bad input, 4 incomplete with
 * nothing new violated in the runs it finished, 130/143 interrupted.
 *
 * A night never overwrites another: without --out it goes to a directory
 * of its own (reports/<date>, then reports/<date>.2, ...), an --out that
 * already holds a results.json is refused unless it is the --resume
 * directory, and so is a --previous that is the output directory.
 */
import { existsSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../check/selection.ts';
import type { Results } from '../../check/results.ts';
import { checkRunsSelected } from '../../check/verify.ts';
import { configTrees, parseConfig, readConfigJson, type NightlyConfig } from '../../nightly/config.ts';
import { newNightDir, nightly } from '../../nightly/nightly.ts';
import { loadResume } from '../../nightly/resume.ts';
import { comparisonExitCode, type Comparison } from '../../report/compare.ts';
import { readResultsFile, ResultsFileError } from '../../report/schema.ts';
import { consoleTable } from '../../report/console-table.ts';
import { EXIT_INCOMPLETE, EXIT_OK, incompleteNote, resultsExitCode, type Command, type Io, type OptionValues } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { progress } from '../progress.ts';
import { onStopSignals } from '../signals.ts';
import { loadTrees } from '../tree-flags.ts';
import { exploreSettings } from './verify.ts';

export const DEFAULT_CONFIG = 'dmacheck.config.json';

export const nightlyCommand: Command = {
  name: 'nightly',
  summary: 'run the configured matrix, write every report into reports/<date>/ and compare with the previous night',
  options: [
    { name: 'config', type: 'string', value: 'FILE', description: 'configuration file (versions, platforms, properties, device, entryPoints, bound, workers, maxMemory, shard)', default: DEFAULT_CONFIG, example: 'ci/nightly.json' },
    { name: 'previous', type: 'string', value: 'DIR', description: "the previous night's report directory (with results.json): writes compare.json and compare.md; exit 1 only for new violations", example: 'reports/2026-11-23' },
    { name: 'out', type: 'string', value: 'DIR', description: 'directory for the reports (one that already holds a results.json is refused)', default: 'reports/<YYYY-MM-DD> (UTC), or reports/<YYYY-MM-DD>.2, .3, ... when taken', example: 'reports/tonight' },
    { name: 'resume', type: 'string', value: 'DIR', description: 'continue an interrupted night from DIR/results.json (same configuration); reports go to DIR unless --out', example: 'reports/2026-11-24' },
    { name: 'quiet', type: 'boolean', description: 'print nothing but the result', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (nightly takes only options)`);
    const configPath = (values['config'] as string | undefined) ?? DEFAULT_CONFIG;
    const raw = readConfigJson(configPath);
    const trees = await loadConfigTrees(raw, configPath);
    try {
      const code = await runNight(parseConfig(raw, configPath), configPath, values, io);
      trees.notes.forEach((n) => io.err(n));
      return code;
    } finally {
      trees.dispose();
    }
  },
};

/** The config's kernel trees as versions (bad input names the config file). */
async function loadConfigTrees(raw: unknown, configPath: string): ReturnType<typeof loadTrees> {
  const { trees, env } = configTrees(raw, configPath);
  try {
    return await loadTrees({ tree: trees, env });
  } catch (e) {
    throw e instanceof UsageError ? new UsageError(`${configPath}: trees: ${e.message}`) : e;
  }
}

async function runNight(config: NightlyConfig, configPath: string, values: OptionValues, io: Io): Promise<number> {
  const previousDir = values['previous'] as string | undefined;
  let previous;
  if (previousDir !== undefined) {
    try {
      previous = { results: readResultsFile(previousDir), dir: previousDir };
    } catch (e) {
      if (e instanceof ResultsFileError) throw new UsageError(`--previous: ${e.message}`);
      throw e;
    }
  }
  const resumeDir = values['resume'] as string | undefined;
  const resume = resumeDir === undefined ? undefined : loadResume(resumeDir, config.selection, config.shard);
  const outGiven = (values['out'] as string | undefined) ?? resumeDir;
  if (outGiven !== undefined) {
    if (previousDir !== undefined && samePlace(reportDir(previousDir), outGiven))
      throw new UsageError(`--previous ${previousDir} is the output directory: tonight's reports would replace the night they are compared with (give another --out)`);
    if (existsSync(join(outGiven, 'results.json')) && !(resumeDir !== undefined && samePlace(resumeDir, outGiven)))
      throw new UsageError(`--out ${outGiven} already holds a night's results.json (give a new directory, or --resume ${outGiven} to finish that night)`);
  }
  const workers = config.workers ?? availableParallelism();
  const settings = exploreSettings(config.maxMemory !== undefined ? { 'max-memory': config.maxMemory } : {}, workers, `${configPath}: maxMemory`);
  checkRunsSelected(resume ? resume.selection : config.selection);
  if (outGiven !== undefined) checkOutDir(outGiven);
  // created last: bad input leaves no empty night behind
  const out = outGiven ?? newNightDir();
  const quiet = Boolean(values['quiet']);
  const bar = progress(io, 'nightly', quiet);
  const signals = onStopSignals(io);
  let outcome;
  try {
    outcome = await nightly({
      selection: config.selection, workers, out,
      ...settings,
      ...(config.shard ? { shard: config.shard } : {}),
      ...(resume ? { resume: resume.previous } : {}),
      ...(previous ? { previous } : {}),
      onProgress: (p) => bar.update(p),
      shouldStop: () => signals.stopped,
    });
  } finally {
    bar.finish();
    signals.dispose();
  }
  const { results: res, comparison } = outcome;
  if (!quiet) io.out(consoleTable(res));
  io.out(`${incompleteNote(res)}${res.totals.runsDone}/${res.totals.runs} runs, ${res.totals.states} states in ${res.timing?.seconds.toFixed(1)}s; reports: ${outcome.files.join(', ')}`);
  if (comparison)
    io.out(comparisonLine(comparison, previousDir!));
  if (signals.exitCode !== undefined) {
    io.err(`dmacheck nightly: interrupted; continue with: dmacheck nightly --config ${(values['config'] as string | undefined) ?? DEFAULT_CONFIG} --resume ${out}${previousDir ? ` --previous ${previousDir}` : ''}`);
    return signals.exitCode;
  }
  return nightlyExitCode(res, comparison);
}

/**
 * 1 for a new violation (every violation, without a comparison), even in an incomplete night;
 * otherwise 4 when the night did not finish, else 0.
 */
export function nightlyExitCode(res: Results, comparison: Comparison | undefined): number {
  const verdict = comparison ? comparisonExitCode(comparison) : resultsExitCode(res);
  return verdict === EXIT_OK && !res.complete ? EXIT_INCOMPLETE : verdict;
}

/** The report directory a --previous value names (it may name the results.json itself). */
const reportDir = (p: string) => (p.endsWith('.json') ? dirname(p) : p);

/** Whether two paths are one directory (through symbolic links, when they exist). */
function samePlace(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/** The console line of a comparison. */
function comparisonLine(c: Comparison, previousDir: string): string {
  const scope = (label: string, list: Comparison['newlyChecked']) => (list.length ? `; ${label}: ${list.map((x) => `${x.kind} ${x.id}`).join(', ')}` : '');
  const uncompared = c.notCompared.length + c.notComparedTonight.length;
  return `compared with ${previousDir}: ${c.newViolations.length} new, ${c.fixedViolations.length} fixed, ${c.unchangedViolations.length} unchanged violation(s)` +
    `${uncompared ? `, ${uncompared} not compared (see compare.md)` : ''}; ` +
    `${c.stateCounts.length} state count(s) changed; ${c.newlyUnreached.length} obligation(s) newly unreached` +
    scope('newly checked', c.newlyChecked) + scope('no longer checked', c.noLongerChecked);
}
