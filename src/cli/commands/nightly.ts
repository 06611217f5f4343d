/**
 * `dmacheck nightly`: the configured matrix, the full report set in
 * reports/<date>/, and the comparison with the previous night.
 * Exit codes: 0 nothing new is violated, 1 a new violation (without
 * --previous every violation is new), 2 bad input, 4 incomplete (cut by
 * maxMemory) with nothing new violated, 130/143 interrupted.
 */
import { availableParallelism } from 'node:os';
import { UsageError } from '../../check/selection.ts';
import { checkRunsSelected } from '../../check/verify.ts';
import { readConfig } from '../../nightly/config.ts';
import { dateDir, nightly } from '../../nightly/nightly.ts';
import { loadResume } from '../../nightly/resume.ts';
import { comparisonExitCode } from '../../report/compare.ts';
import { readResultsFile, ResultsFileError } from '../../report/schema.ts';
import { summaryTable } from '../../report/summary.ts';
import { EXIT_INCOMPLETE, EXIT_OK, incompleteNote, resultsExitCode, type Command } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { progress } from '../progress.ts';
import { onStopSignals } from '../signals.ts';
import { exploreSettings } from './verify.ts';

export const DEFAULT_CONFIG = 'dmacheck.config.json';

export const nightlyCommand: Command = {
  name: 'nightly',
  summary: 'run the configured matrix, write every report into reports/<date>/ and compare with the previous night',
  options: [
    { name: 'config', type: 'string', value: 'FILE', description: 'configuration file (versions, platforms, properties, device, entryPoints, bound, workers, maxMemory, shard)', default: DEFAULT_CONFIG, example: 'ci/nightly.json' },
    { name: 'previous', type: 'string', value: 'DIR', description: "the previous night's report directory (with results.json): writes compare.json and compare.md; exit 1 only for new violations", example: 'reports/2026-11-23' },
    { name: 'out', type: 'string', value: 'DIR', description: 'directory for the reports', default: 'reports/<YYYY-MM-DD> (UTC)', example: 'reports/tonight' },
    { name: 'resume', type: 'string', value: 'DIR', description: 'continue an interrupted night from DIR/results.json (same configuration); reports go to DIR unless --out', example: 'reports/2026-11-24' },
    { name: 'quiet', type: 'boolean', description: 'print nothing but the result', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (nightly takes only options)`);
    const configPath = (values['config'] as string | undefined) ?? DEFAULT_CONFIG;
    const config = readConfig(configPath);
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
    const out = (values['out'] as string | undefined) ?? resumeDir ?? dateDir();
    const workers = config.workers ?? availableParallelism();
    const settings = exploreSettings(config.maxMemory !== undefined ? { 'max-memory': config.maxMemory } : {}, workers, `${configPath}: maxMemory`);
    checkRunsSelected(resume ? resume.selection : config.selection);
    checkOutDir(out);
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
    if (!quiet) io.out(summaryTable(res));
    io.out(`${incompleteNote(res)}${res.totals.runsDone}/${res.totals.runs} runs, ${res.totals.states} states in ${res.timing?.seconds.toFixed(1)}s; reports: ${outcome.files.join(', ')}`);
    if (comparison)
      io.out(`compared with ${previousDir}: ${comparison.newViolations.length} new, ${comparison.fixedViolations.length} fixed, ${comparison.unchangedViolations.length} unchanged violation(s); ` +
        `${comparison.stateCounts.length} state count(s) changed; ${comparison.newlyUnreached.length} obligation(s) newly unreached`);
    if (signals.exitCode !== undefined) {
      io.err(`dmacheck nightly: interrupted; continue with: dmacheck nightly --config ${(values['config'] as string | undefined) ?? DEFAULT_CONFIG} --resume ${out}${previousDir ? ` --previous ${previousDir}` : ''}`);
      return signals.exitCode;
    }
    // A night that did not finish never passes: new violations still exit 1, the rest 4.
    const code = comparison ? comparisonExitCode(comparison) : resultsExitCode(res);
    return code === EXIT_OK && !res.complete ? EXIT_INCOMPLETE : code;
  },
};
