/**
 * `dmacheck findings --versions v7.3 --out docs/findings/`: what is still
 * violated on one kernel version, compared with a baseline and diffed
 * against other versions; writes DIR/README.md, DIR/findings.json and a
 * trace file per violated property, and with --readme the section of a
 * README between `<!-- findings:start -->` and `<!-- findings:end -->`.
 * Exit 0 nothing violated, 1 violated, 2 bad input, 4 incomplete (a run cut
 * before it finished, and nothing violated in what ran).
 */
import { parseList, parseSelection, UsageError } from '../../check/selection.ts';
import { VERSION_IDS } from '../../../models/versions.ts';
import { findings, type Findings } from '../../findings/findings.ts';
import { DEFAULT_BASELINE, DEFAULT_DIFFS, diffVerdict } from '../../findings/render-findings.ts';
import { checkReadme, displayPath, loadFindings, renderAndWrite, writeFindings } from '../../findings/write-findings.ts';
import { EXIT_INCOMPLETE, resultsExitCode, type Command, type Io, type OptionSpec, type OptionValues } from '../command.ts';
import { progress } from '../progress.ts';
import { onStopSignals } from '../signals.ts';
import { EXPLORE_OPTIONS, exploreSettings, selectionFlagsOf, VERIFY_OPTIONS, workersOf } from './verify.ts';

const DEFAULT_VERSION = 'v7.3';
const DEFAULT_OUT = 'docs/findings/';
const SELECTION = ['platforms', 'properties', 'device', 'entry-points', 'threads', 'calls', 'workers'];
const fromVerify = (name: string): OptionSpec => VERIFY_OPTIONS.find((o) => o.name === name)!;

export const FINDINGS_OPTIONS: readonly OptionSpec[] = [
  { name: 'versions', type: 'string', value: 'ID', description: 'the kernel version examined (one)', default: DEFAULT_VERSION, example: 'v7.3' },
  { name: 'baseline', type: 'string', value: 'ID', description: 'the version each violation is looked for too, per (property, platform, device)', default: DEFAULT_BASELINE, example: 'v2-p4' },
  { name: 'diff', type: 'string', value: 'IDS', description: 'comma list of versions X summarised as `dmacheck diff X VERSION`, or none', default: DEFAULT_DIFFS.join(','), example: 'none' },
  ...SELECTION.map(fromVerify),
  { name: 'out', type: 'string', value: 'DIR', description: 'directory for README.md, findings.json and the trace files', default: DEFAULT_OUT, example: 'docs/findings/' },
  { name: 'readme', type: 'string', value: 'FILE', description: `also rewrite the summary table between the findings markers of this file`, example: 'README.md' },
  { name: 'from', type: 'string', value: 'DIR', description: 'render the Markdown again from DIR/findings.json and its trace files, without running anything (the traces are checked against the model)', example: 'docs/findings/' },
  EXPLORE_OPTIONS.find((o) => o.name === 'max-memory')!,
  { name: 'quiet', type: 'boolean', description: 'print only the files written', default: 'false' },
];

/** Only the examined version's violations count; an incomplete result with none exits 4. */
function exitOf(f: Findings): number {
  return resultsExitCode({ complete: f.complete, results: f.violated.map(() => ({ verdict: 'violated' })) });
}

function oneVersion(flag: string, text: string | undefined, dflt: string): string {
  const list = parseList('version', text ?? dflt, VERSION_IDS);
  if (list.length !== 1) throw new UsageError(`${flag} takes one version, got '${text}' (valid: one of ${VERSION_IDS.join(', ')})`);
  return list[0]!;
}

function summary(f: Findings): string {
  const lines = [`${f.version}: ${f.violated.length ? `${f.violated.length} of ${f.selection.properties.length} properties violated` : 'every selected property holds'}` +
    `${f.complete ? '' : ` (INCOMPLETE: ${f.incompleteReason})`}`];
  for (const p of f.violated)
    lines.push(`  ${p.property}: ${p.violatingRuns.effective}E/${p.violatingRuns.latent}L runs on ${[...new Set(p.groups.map((g) => g.platform))].join(', ')}; ` +
      `shortest ${p.shortest.depth} steps (${p.shortest.traceFile})`);
  for (const d of f.diffs) lines.push(`  ${diffVerdict(d).replace(/`/g, '')}`);
  return lines.join('\n');
}

/** --from DIR: render the Markdown again from DIR/findings.json, running nothing. */
function renderFrom(from: string, values: OptionValues, readme: string | undefined, io: Io): number {
  const given = FINDINGS_OPTIONS.filter((o) => !['from', 'readme', 'quiet'].includes(o.name) && values[o.name] !== undefined);
  if (given.length) throw new UsageError(`--${given[0]!.name} selects what to run; --from ${from} renders what was run (drop one of them)`);
  const { findings: f, traceOf } = loadFindings(from);
  const files = renderAndWrite(from, f, traceOf, readme);
  if (!values['quiet']) io.out(summary(f));
  io.out(`rendered from ${displayPath(from)}/findings.json; wrote ${files.map((f) => displayPath(f)).join(', ')}`);
  return exitOf(f);
}

export const findingsCommand: Command = {
  name: 'findings',
  summary: 'what is still violated on a version: per property the platforms, the shortest counterexample, the baseline comparison and the diffs, as Markdown',
  options: FINDINGS_OPTIONS,
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (findings takes only options)`);
    const readme = values['readme'] as string | undefined;
    if (readme !== undefined) checkReadme(readme);
    const from = values['from'] as string | undefined;
    if (from !== undefined) return renderFrom(from, values, readme, io);
    const version = oneVersion('--versions', values['versions'] as string | undefined, DEFAULT_VERSION);
    const baseline = oneVersion('--baseline', values['baseline'] as string | undefined, DEFAULT_BASELINE);
    const diffText = (values['diff'] as string | undefined) ?? DEFAULT_DIFFS.join(',');
    const diffs = diffText === 'none' ? [] : parseList('version', diffText, VERSION_IDS).filter((v) => v !== version);
    const selection = parseSelection({ ...selectionFlagsOf(values), versions: version });
    const workers = workersOf(values['workers']);
    const out = (values['out'] as string | undefined) ?? DEFAULT_OUT;
    const quiet = Boolean(values['quiet']);
    const signals = onStopSignals(io);
    const started = Date.now();
    let run;
    let bar = progress(io, 'findings', quiet);
    try {
      run = await findings({
        version, baseline, diffs, selection, workers, traceDir: displayPath(out),
        explore: exploreSettings(values, workers).explore,
        onPhase: (label) => { bar.finish(); bar = progress(io, label, quiet); },
        onProgress: (p) => bar.update(p),
        shouldStop: () => signals.stopped,
      });
    } finally {
      bar.finish();
      signals.dispose();
    }
    if (signals.exitCode !== undefined || run.stopped) {
      io.err('dmacheck findings: interrupted; nothing written');
      return signals.exitCode ?? EXIT_INCOMPLETE;
    }
    const files = writeFindings(out, run.findings, run.traces, readme);
    if (!quiet) io.out(summary(run.findings));
    io.out(`findings in ${((Date.now() - started) / 1000).toFixed(1)}s; wrote ${files.map((f) => displayPath(f)).join(', ')}`);
    return exitOf(run.findings);
  },
};
