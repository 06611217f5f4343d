/**
 * `dmacheck replay`: replay a trace file, or the scenario string a mail
 * carries (`--scenario`), on its own kernel version or another one, and
 * say whether it still violates: on the recorded steps, and anywhere the
 * rest of the recorded programs can go from their end.
 */
import { UsageError } from '../../check/selection.ts';
import { VERSION_IDS } from '../../../models/versions.ts';
import { replayExitCode, replayTrace } from '../../trace/replay.ts';
import { renderVerdict, verdictJson } from '../../trace/render-verdict.ts';
import { parseScenario } from '../../trace/scenario-string.ts';
import { readInputFile } from '../../trace/trace-file.ts';
import type { Command } from '../command.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a trace file on a kernel version; exit 0 fixed, 1 still violated (on the recorded steps or later), 3 diverged or not applicable',
  positionals: 'TRACE.json',
  options: [
    { name: 'version', type: 'string', value: 'ID', description: 'kernel version to replay on', default: "the trace's own version", example: 'v2-p1' },
    { name: 'scenario', type: 'string', value: 'STRING', description: "replay the scenario string of a mail-format trace instead of a file (whitespace and '>' in it are ignored)", example: 'dmacheck1:baseline/cca/...' },
    { name: 'json', type: 'boolean', description: 'print the verdict as JSON: verdict (reproduced, other violation, violated later, fixed, diverged, not applicable), step, exitCode', default: 'false' },
  ],
  async run(values, positionals, io) {
    const scenario = values['scenario'] as string | undefined;
    if (scenario !== undefined && positionals.length)
      throw new UsageError(`replay takes a trace file or --scenario, not both (got '${positionals[0]}' and --scenario)`);
    if (scenario === undefined && positionals.length !== 1)
      throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}' (replay takes one trace file)` : 'missing the trace file or --scenario STRING (make a file with: dmacheck trace RESULTS.json ... --format json > TRACE.json)');
    const version = values['version'] as string | undefined;
    if (version !== undefined && !VERSION_IDS.includes(version)) throw new UsageError(`unknown version '${version}' (valid: ${VERSION_IDS.join(', ')})`);
    let trace;
    let source;
    if (scenario !== undefined) {
      trace = parseScenario(scenario);
      source = '--scenario';
    } else {
      const input = readInputFile(positionals[0]!);
      if (input.kind !== 'trace')
        throw new UsageError(`${input.path} is a results file, not a trace file; make one with: dmacheck trace ${input.path} --version V --property P --format json > TRACE.json`);
      ({ trace, path: source } = input);
    }
    const verdict = replayTrace(trace, version);
    if (values['json']) io.out(JSON.stringify(verdictJson(trace, source, verdict), null, 2));
    else io.out(renderVerdict(trace, verdict));
    return replayExitCode(verdict);
  },
};
