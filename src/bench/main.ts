/**
 * `npm run bench`: fixed benchmark runs, the speedup of two workers, the
 * growth of the explored space with the bound, and the factor of each
 * reduction. Prints tables, or with `--json` the report as JSON.
 *
 * Options:
 *   --json        print the report as JSON (top level: statesPerSecondPerWorker, speedup2Workers, bytesPerState, ...)
 *   --quick       one repetition of each measurement instead of 5
 *   --repeats N   repetitions of each measurement (median kept; default 5)
 *   --smoke       tiny workloads of the same shape, to check the harness in seconds
 *   --tree DIR    kernel tree for the extracted-version run (default: the fixture test/fixtures/tree)
 * Example: npm run bench -- --quick
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../check/selection.ts';
import { formatBench } from './format-bench.ts';
import { runBench } from './run-bench.ts';
import { FULL_PLAN, SMOKE_PLAN } from './workloads.ts';

export interface BenchIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: BenchIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};

const OPTIONS = {
  json: { type: 'boolean', default: false },
  quick: { type: 'boolean', default: false },
  repeats: { type: 'string' },
  smoke: { type: 'boolean', default: false },
  tree: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

const USAGE = 'usage: dmacheck-bench [--json] [--quick | --repeats N] [--smoke] [--tree DIR]';

export async function main(argv: string[], io: BenchIo = stdio): Promise<number> {
  let values: { json: boolean; quick: boolean; repeats?: string; smoke: boolean; tree?: string; help: boolean };
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    io.err(`dmacheck-bench: ${(e as Error).message.split('\n')[0]} (valid: --json, --quick, --repeats N, --smoke, --tree DIR, --help)`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let repeats = values.quick ? 1 : 5;
  if (values.repeats !== undefined) {
    if (!/^[1-9]\d*$/.test(values.repeats) || Number(values.repeats) > 99) {
      io.err(`dmacheck-bench: bad --repeats '${values.repeats}' (valid: an integer from 1 to 99)`);
      return 2;
    }
    repeats = Number(values.repeats);
  }
  let report;
  try {
    report = await runBench(values.smoke ? SMOKE_PLAN : FULL_PLAN, { repeats, ...(values.tree !== undefined ? { tree: values.tree } : {}), log: (l) => io.err(`bench: ${l}`) });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`dmacheck-bench: ${e.message}`);
    return 2;
  }
  io.out(values.json ? JSON.stringify(report, null, 2) : formatBench(report));
  return 0;
}
