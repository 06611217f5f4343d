/**
 * Which dmacheck this is: the package version, and the git commit when it
 * runs from a git checkout (a clone or a worktree of the repository, built
 * or from the sources; an installed package has no commit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ToolVersion {
  /** package.json's version */
  readonly version: string;
  /** the checkout's commit (12 hex digits), `-dirty` appended when tracked files differ from it */
  readonly commit?: string;
}

/**
 * The package root: the nearest directory above this module with a
 * package.json (src/cli/ from the sources, dist/ in a build or an
 * installed package).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`dmacheck: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/**
 * The commit of the checkout at `root`, if `root` is the top of one. Only
 * `root` itself counts: an installed package inside someone's repository
 * is not a checkout of dmacheck.
 */
function commitAt(root: string): string | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  const r = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12', '--exclude=*'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const commit = r.status === 0 ? r.stdout.trim() : '';
  return commit === '' ? undefined : commit;
}

export function toolVersion(): ToolVersion {
  const root = packageRoot();
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const commit = commitAt(root);
  return commit === undefined ? { version } : { version, commit };
}

/** `dmacheck 0.1.0`, or `dmacheck 0.1.0 (git 6d83b7d1a2b3)` from a checkout. */
export function versionLine(v: ToolVersion = toolVersion()): string {
  return `dmacheck ${v.version}${v.commit ? ` (git ${v.commit})` : ''}`;
}
