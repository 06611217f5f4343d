/** `dmacheck replay`: replay a trace file on its own kernel version or another one, and say whether it still violates. */
import { UsageError } from '../../check/selection.ts';
import { VERSION_IDS } from '../../../models/versions.ts';
import { replayExitCode, replayTrace } from '../../trace/replay.ts';
import { renderVerdict, verdictJson } from '../../trace/render-verdict.ts';
import { readInputFile } from '../../trace/trace-file.ts';
import type { Command } from '../command.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay a trace file on a kernel version; exit 0 fixed, 1 still violated, 3 diverged or not applicable',
  positionals: 'TRACE.json',
  options: [
    { name: 'version', type: 'string', value: 'ID', description: 'kernel version to replay on', default: "the trace's own version", example: 'v2-p1' },
    { name: 'json', type: 'boolean', description: 'print the verdict as JSON: verdict (reproduced, other violation, fixed, diverged, not applicable), step, exitCode', default: 'false' },
  ],
  async run(values, positionals, io) {
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? `unexpected argument '${positionals[1]}' (replay takes one trace file)` : 'missing the trace file (make one with: dmacheck trace RESULTS.json ... --format json > TRACE.json)');
    const version = values['version'] as string | undefined;
    if (version !== undefined && !VERSION_IDS.includes(version)) throw new UsageError(`unknown version '${version}' (valid: ${VERSION_IDS.join(', ')})`);
    const input = readInputFile(positionals[0]!);
    if (input.kind !== 'trace')
      throw new UsageError(`${input.path} is a results file, not a trace file; make one with: dmacheck trace ${input.path} --version V --property P --format json > TRACE.json`);
    const verdict = replayTrace(input.trace, version);
    if (values['json']) io.out(JSON.stringify(verdictJson(input.trace, input.path, verdict), null, 2));
    else io.out(renderVerdict(input.trace, verdict));
    return replayExitCode(verdict);
  },
};
