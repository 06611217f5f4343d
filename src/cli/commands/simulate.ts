/**
 * `dmacheck simulate`: random deep runs beyond the exhaustive bound, with a
 * printed seed; a violation is shrunk and written as a trace file for
 * `dmacheck replay`. Exit codes: 0 no violation found, 1 violation found
 * (trace written), 2 bad input.
 */
import { treeFlags } from '../../extract/tree-registry.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deviceKey } from '../../../models/devices.ts';
import { MAX_THREADS as WORLD_MAX_THREADS } from '../../../models/world.ts';
import { MAX_CALLS, parseBound, parseSelection, UsageError } from '../../check/selection.ts';
import { simulate } from '../../simulate/simulate.ts';
import { EXIT_OK, EXIT_VIOLATED, type Command } from '../command.ts';
import { checkOutDir } from '../out-dir.ts';
import { checkRunsSelected } from '../../check/verify.ts';
import { selectionFlagsOf } from './verify.ts';

/** A thread's program counter is packed in 4 bits of the world (models/world.ts): programs of at most 15 calls. */
export const MAX_SIMULATE_CALLS = 15;
export const DEFAULT_SIMULATE_RUNS = 1000;

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'random deep runs beyond the exhaustive bound (fast-check, reproducible from the printed seed); a violation is shrunk and written as a trace',
  options: [
    { name: 'seed', type: 'string', value: 'N', description: 'fast-check seed (printed; the same seed gives the same runs)', default: 'random', example: '42' },
    { name: 'runs', type: 'string', value: 'N', description: 'random scenarios to try', default: String(DEFAULT_SIMULATE_RUNS), example: '5000' },
    { name: 'threads', type: 'string', value: 'N', description: `at most this many threads (CPUs) per scenario, 1-${WORLD_MAX_THREADS}`, default: String(WORLD_MAX_THREADS), example: '2' },
    { name: 'calls', type: 'string', value: 'N', description: `at most this many calls per thread, 1-${MAX_SIMULATE_CALLS} (exhaustive verify stops at ${MAX_CALLS})`, default: '8', example: '12' },
    { name: 'versions', type: 'string', value: 'IDS', description: 'comma list of kernel versions', default: 'all', example: 'baseline' },
    { name: 'platforms', type: 'string', value: 'IDS', description: 'comma list of platforms', default: 'all', example: 'cca' },
    { name: 'properties', type: 'string', value: 'IDS', description: 'comma list of properties to check', default: 'all', example: 'no-double-decrypt' },
    { name: 'entry-points', type: 'string', value: 'NAMES', description: 'restrict programs to these calls', default: 'all', example: 'dma_direct_alloc,dma_direct_free' },
    { name: 'path', type: 'string', value: 'PATH', description: "fast-check counterexample path printed with a failure: replays it without searching (with the same seed and options)", example: '12:3:0' },
    { name: 'out', type: 'string', value: 'DIR', description: 'directory for the trace file of a violation', default: 'reports/simulate', example: '.tmp/sim' },
  ],
  async run(values, positionals, io) {
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (simulate takes only options)`);
    // simulate bounds threads and calls itself (deeper than verify allows) and draws device configurations at random
    const { versions, platforms, properties, entryPoints } = selectionFlagsOf(values);
    const sel = parseSelection({ versions, platforms, properties, entryPoints });
    const threads = parseBound('--threads', values['threads'] as string | undefined, 1, WORLD_MAX_THREADS, WORLD_MAX_THREADS);
    const calls = parseBound('--calls', values['calls'] as string | undefined, 1, MAX_SIMULATE_CALLS, 8);
    const runs = parseBound('--runs', values['runs'] as string | undefined, 1, 10_000_000, DEFAULT_SIMULATE_RUNS);
    const seedText = values['seed'] as string | undefined;
    if (seedText !== undefined && !/^-?\d+$/.test(seedText)) throw new UsageError(`bad --seed '${seedText}' (valid: an integer)`);
    const seed = seedText !== undefined ? Number(seedText) | 0 : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
    const path = values['path'] as string | undefined;
    if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new UsageError(`bad --path '${path}' (valid: the path fast-check printed, e.g. 12:3:0)`);
    // Whether any scenario can be drawn: the entry points must start a program on some device of the platforms.
    checkRunsSelected({ ...sel, threads: 1, calls: 1 });
    const dir = (values['out'] as string | undefined) ?? join('reports', 'simulate');
    checkOutDir(dir);
    io.err(`simulate: seed ${seed}; ${runs} scenario(s) of up to ${threads} thread(s) x ${calls} call(s); versions ${sel.versions.join(',')}; platforms ${sel.platforms.join(',')}`);
    const started = Date.now();
    const outcome = simulate({
      seed, runs, properties: sel.properties, ...(path ? { path } : {}),
      space: { versions: sel.versions, platforms: sel.platforms, entryPoints: sel.entryPoints, threads, calls },
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const f = outcome.found;
    if (!f) {
      io.out(`simulate: seed ${seed}: no violation in ${outcome.runs} scenario(s) (${secs}s)`);
      return EXIT_OK;
    }
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `simulate-seed-${seed}.trace.json`);
    writeFileSync(file, JSON.stringify(f.trace, null, 1) + '\n');
    const t = f.task;
    io.out([
      `simulate: seed ${seed}: ${f.violation.property} violated (${f.violation.severity}) after ${outcome.runs} scenario(s), shrunk ${f.shrinks} time(s) (${secs}s)`,
      `  run: ${t.version} ${t.platform} ${deviceKey(t.device)}; ${t.programs.map((p, i) => `CPU${i}: ${p.join(',')}`).join('; ')}; ${f.trace.steps.length} step(s)`,
      `  ${f.trace.message}`,
      `  trace: ${file}`,
      `  replay: dmacheck replay ${treeFlags([t.version])}${file}`,
      `  reproduce: dmacheck simulate --seed ${seed} --path ${f.path} (with the same options)`,
    ].join('\n'));
    return EXIT_VIOLATED;
  },
};
