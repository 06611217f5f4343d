/**
 * The script a pool's worker threads load.
 *
 * Worker threads on Node 20 cannot load .ts. Registering tsx in every worker
 * works (the `*-entry.mjs` files do that), but each worker then starts a
 * loader-hooks thread and transforms every module on its own: about 0.5 s of
 * wall time and 0.5 CPU-s per worker before its first task, which on a
 * 2-core machine is time taken from the other worker.
 *
 * So the first time a pool starts, the worker's TypeScript entry is bundled
 * with esbuild (about 0.1 s, in esbuild's own process) into one JavaScript
 * file in a fresh temporary directory, and the workers load that. The bundle
 * is made from the sources on disk at that moment, once per process and
 * entry, so a worker never runs code older than the process that starts it.
 * The directory (named after the process id) is removed when the process
 * exits; one left by a process that was killed (a signal's default action,
 * the out-of-memory killer) is removed by the next process that bundles.
 *
 * The built command line (scripts/build.mjs, dist/) ships each worker
 * prebuilt next to itself, and its pools load that file: nothing to bundle,
 * and no esbuild or tsx in an installed package.
 *
 * If bundling fails (esbuild missing, no writable temporary directory), the
 * workers load the tsx entry instead, with a one-time warning: slower to
 * start, same code. `DMACHECK_WORKER_SCRIPT=tsx` forces that path (for
 * debugging with source positions of the .ts files); `bundle` or unset is
 * the default.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import workerpool from 'workerpool';

export interface WorkerScript {
  /** absolute path of the script the pool loads */
  readonly path: string;
  /**
   * 'built': the worker file of the build, next to the built command line;
   * 'bundle': one JavaScript file bundled by this process; 'tsx': the entry
   * that registers tsx and imports the .ts worker
   */
  readonly kind: 'built' | 'bundle' | 'tsx';
}

/** A worker: its TypeScript module and the .mjs entry that loads it through tsx. */
export interface WorkerSources {
  readonly ts: URL;
  readonly tsxEntry: URL;
}

// Bundled code that calls require() (workerpool is CommonJS) needs a real require in an ES module.
const BANNER = "import { createRequire as __dmacheckCreateRequire } from 'node:module'; const require = __dmacheckCreateRequire(import.meta.url);";

// scripts/build.mjs defines it (esbuild `define`) as true in the build; from the sources it is no variable at all
declare const DMACHECK_BUILD: boolean | undefined;

const bundled = new Map<string, Promise<WorkerScript>>();
let dir: string | undefined;
const warned = new Set<string>();

/** Temporary directories of this tool start with this, then `<pid>-`. */
export const DIR_PREFIX = 'dmacheck-workers-';

function warnOnce(what: string, text: string): void {
  if (warned.has(what)) return;
  warned.add(what);
  process.emitWarning(`dmacheck: ${text}`);
}

/** Whether process `pid` exists (a process of another user counts). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the directories of processes that no longer exist (best effort: another user's stay). */
export function sweepDeadDirs(root = tmpdir()): void {
  for (const name of readdirSync(root)) {
    const m = name.startsWith(DIR_PREFIX) ? /^(\d+)-/.exec(name.slice(DIR_PREFIX.length)) : null;
    if (m === null || alive(Number(m[1]))) continue;
    try {
      rmSync(join(root, name), { recursive: true, force: true });
    } catch {
      // not ours to remove
    }
  }
}

function outDir(): string {
  if (dir) return dir;
  sweepDeadDirs();
  const d = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  dir = d;
  return d;
}

/** Bundle `src` as this process's `n`-th bundle. */
async function bundle(src: WorkerSources, n: number): Promise<WorkerScript> {
  const entry = fileURLToPath(src.ts);
  const { build } = await import('esbuild');
  // numbered, so that two entries of the same file name never share a bundle
  const path = join(outDir(), `${n}-${basename(entry).replace(/\.ts$/, '.mjs')}`);
  await build({
    entryPoints: [entry], outfile: path, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    banner: { js: BANNER }, logLevel: 'silent', write: true,
  });
  return { path, kind: 'bundle' };
}

/** One line saying why a build failed (esbuild lists its errors apart from the message). */
function reason(e: unknown): string {
  const first = (e as { errors?: { text?: string }[] } | null)?.errors?.[0]?.text;
  return (first ?? String(e)).split('\n')[0]!;
}

function tsx(src: WorkerSources): WorkerScript {
  return { path: fileURLToPath(src.tsxEntry), kind: 'tsx' };
}

/** In the build, `src`'s worker file (named after its entry, `worker.ts` -> `worker.mjs`) in the same directory as this code, if it is there. */
function prebuilt(src: WorkerSources): WorkerScript | undefined {
  if (typeof DMACHECK_BUILD === 'undefined' || !DMACHECK_BUILD) return undefined;
  const path = fileURLToPath(new URL(`./${basename(fileURLToPath(src.ts)).replace(/\.ts$/, '.mjs')}`, import.meta.url));
  return existsSync(path) ? { path, kind: 'built' } : undefined;
}

/**
 * The script for a pool of `src`'s workers: the build's worker file, or
 * else bundled once per process, or the tsx entry when bundling is off or
 * fails.
 */
export function workerScript(src: WorkerSources): Promise<WorkerScript> {
  const mode = process.env['DMACHECK_WORKER_SCRIPT'] ?? '';
  if (mode === 'tsx') return Promise.resolve(tsx(src));
  if (mode !== '' && mode !== 'bundle') warnOnce('mode', `ignoring DMACHECK_WORKER_SCRIPT='${mode}' (valid: bundle, tsx); workers load the bundle`);
  const ready = prebuilt(src);
  if (ready) return Promise.resolve(ready);
  const key = src.ts.href;
  let p = bundled.get(key);
  if (!p) {
    p = bundle(src, bundled.size).catch((e: unknown) => {
      warnOnce('fallback', `workers load TypeScript through tsx (slower start) because bundling failed: ${reason(e)}`);
      return tsx(src);
    });
    bundled.set(key, p);
  }
  return p;
}

/** A workerpool pool of threads. */
export type WorkerPool = ReturnType<typeof workerpool.pool>;

/** A pool of `workers` threads running `src`'s worker. */
export async function startPool(src: WorkerSources, workers: number): Promise<WorkerPool> {
  const script = await workerScript(src);
  return workerpool.pool(script.path, { maxWorkers: workers, minWorkers: workers, workerType: 'thread' });
}
