/**
 * How long `dmacheck list` takes from process start to exit: the built
 * command line (dist/dmacheck.mjs, what the package's bin runs, rebuilt
 * from the sources first) against the sources through tsx
 * (bin/dmacheck.mjs). Each is a new node process; the two alternate, so a
 * slow phase of the machine favours neither.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function node(args: readonly string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.split('\n')[0]}`);
  return r.stdout;
}

function timeList(launcher: string): number {
  const t0 = performance.now();
  const out = node([launcher, 'list']);
  const seconds = (performance.now() - t0) / 1000;
  if (!out.startsWith('Versions:\n')) throw new Error(`bench: node ${launcher} list printed no listing`);
  return seconds;
}

/** Seconds of `starts` timed starts of each, after the build and one untimed start of each (files in the page cache). */
export function listStartupSamples(starts: number): { built: number[]; fromSources: number[] } {
  node(['scripts/build.mjs', '--quiet']);
  const launchers = { built: 'dist/dmacheck.mjs', fromSources: 'bin/dmacheck.mjs' } as const;
  for (const l of Object.values(launchers)) timeList(l);
  const samples = { built: [] as number[], fromSources: [] as number[] };
  for (let i = 0; i < starts; i++) {
    for (const which of i % 2 ? ['fromSources', 'built'] as const : ['built', 'fromSources'] as const) samples[which].push(timeList(launchers[which]));
  }
  return samples;
}
