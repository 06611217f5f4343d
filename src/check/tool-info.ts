/**
 * Which dmacheck produced a result: the package version and, when it runs
 * from a git checkout of its own, the commit. Two nights that disagree can
 * then be told apart as "the kernel model changed" or "the tool changed".
 *
 * The commit is read from the checkout whose top level is the package
 * directory itself: a dmacheck installed under node_modules of some other
 * repository must not report that repository's commit. Anything that goes
 * wrong (no git, not a checkout) leaves the commit out, silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolInfo {
  /** package.json version */
  readonly version: string;
  /** `git rev-parse HEAD` of the package directory, when it is a checkout */
  readonly commit?: string;
}

let cached: ToolInfo | undefined;

/** The package directory: the nearest ancestor of this file whose package.json is dmacheck's (source tree or build). */
function packageDir(): { dir: string; version: string } | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (pkg.name === 'dmacheck' && typeof pkg.version === 'string') return { dir, version: pkg.version };
      } catch {
        // not dmacheck's: keep looking upwards
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The commit checked out at `dir`, when `dir` is the top level of a git checkout; undefined otherwise. */
export function commitOf(dir: string): string | undefined {
  // GIT_DIR and friends from a surrounding hook or script would point git at another repository.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  const r = spawnSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  if (r.status !== 0 || typeof r.stdout !== 'string') return undefined;
  const [top, head] = r.stdout.trim().split('\n');
  if (!top || !head || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  try {
    return realpathSync(top) === realpathSync(dir) ? head : undefined;
  } catch {
    return undefined;
  }
}

/** This dmacheck's version and commit (computed once per process). */
export function toolInfo(): ToolInfo {
  if (cached) return cached;
  const pkg = packageDir();
  const commit = pkg ? commitOf(pkg.dir) : undefined;
  cached = { version: pkg?.version ?? 'unknown', ...(commit ? { commit } : {}) };
  return cached;
}
