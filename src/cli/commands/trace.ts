/** `dmacheck trace`: render a counterexample from a results file or a trace file, for a mail, Markdown, or as a replayable trace file. */
import { UsageError, parseBound } from '../../check/selection.ts';
import { pickCounterexample } from '../../trace/pick-counterexample.ts';
import { renderMail } from '../../trace/render-mail.ts';
import { renderMarkdown } from '../../trace/render-md.ts';
import { readInputFile, traceFileText } from '../../trace/trace-file.ts';
import { traceReport } from '../../trace/trace-report.ts';
import { EXIT_OK, type Command } from '../command.ts';

export const TRACE_FORMATS = ['mail', 'md', 'json'] as const;

const FILTERS = ['version', 'property', 'platform', 'index'] as const;

export const traceCommand: Command = {
  name: 'trace',
  summary: 'render a counterexample for a mailing-list reply (mail), Markdown (md), or as a replayable trace file (json)',
  positionals: 'RESULTS.json|TRACE.json',
  options: [
    { name: 'version', type: 'string', value: 'ID', description: 'results file: the kernel version of the counterexample (needed when the file has several)', example: 'baseline' },
    { name: 'property', type: 'string', value: 'ID', description: 'results file: the violated property (needed when the file has several)', example: 'no-double-decrypt' },
    { name: 'platform', type: 'string', value: 'ID', description: 'results file: only counterexamples on this platform', default: 'any', example: 'cca' },
    { name: 'index', type: 'string', value: 'N', description: 'results file: the N-th matching counterexample, in file order', default: 'the shortest', example: '2' },
    { name: 'format', type: 'string', value: 'FORMAT', description: 'mail: plain ASCII, 72 columns; md: Markdown; json: the trace file that dmacheck replay reads', default: 'mail', example: 'json' },
    { name: 'compact', type: 'boolean', description: "fold other CPUs' calls that touch none of the violating pages into one line (mail, md)", default: 'false' },
  ],
  async run(values, positionals, io) {
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}' (trace takes one file)` : 'missing the results or trace file (dmacheck trace RESULTS.json --version V --property P, or dmacheck trace TRACE.json)');
    const format = (values['format'] as string | undefined) ?? 'mail';
    if (!(TRACE_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown --format '${format}' (valid: ${TRACE_FORMATS.join(', ')})`);
    const compact = Boolean(values['compact']);
    if (compact && format === 'json') throw new UsageError('--compact applies to the mail and md formats; the json trace file keeps every step');
    const index = values['index'] === undefined ? undefined : parseBound('--index', values['index'] as string, 1, 1_000_000, 1);
    const input = readInputFile(positionals[0]!);
    let picked;
    if (input.kind === 'trace') {
      const given = FILTERS.filter((f) => values[f] !== undefined);
      if (given.length)
        throw new UsageError(`--${given[0]} selects a counterexample in a results file; ${input.path} is a trace file (to run it on another version: dmacheck replay ${input.path} --version V)`);
      picked = { trace: input.trace, origin: { kind: 'file' as const, path: input.path } };
    } else {
      picked = pickCounterexample(input.results, input.path, {
        version: values['version'] as string | undefined,
        property: values['property'] as string | undefined,
        platform: values['platform'] as string | undefined,
        index,
      });
      if (picked.matched > 1 && index === undefined)
        io.err(`dmacheck trace: ${picked.matched} counterexamples match; showing the shortest (number ${picked.position}: ${picked.trace.run.platform} ${picked.device}, ${picked.trace.steps.length} steps); choose another with --platform or --index N`);
    }
    if (format === 'json') io.out(traceFileText(picked.trace));
    else {
      const report = traceReport(picked.trace, picked.origin, { compact });
      io.out(format === 'mail' ? renderMail(report) : renderMarkdown(report));
    }
    return EXIT_OK;
  },
};
