/**
 * Check a report directory before a run starts, so that a long run never
 * ends with nothing written: the directory must be one dmacheck can create
 * or write into. Refused in one line (exit 2): an empty path, an existing
 * file, a path under a file, a directory the user cannot write, and the
 * kernel's pseudo-filesystems (/proc, /sys, /dev: writes there do not make
 * files and may block).
 */
import { accessSync, constants, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';
import { UsageError } from '../check/selection.ts';

const PSEUDO_FS = ['/proc', '/sys', '/dev'];

const under = (path: string, root: string) => path === root || path.startsWith(root + sep);

/** The stat of `path`, or undefined when it does not exist (also when a part of it is a file). */
function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UsageError(`cannot use '${path}' (${code ?? (e as Error).message})`);
  }
}

/** Throws a UsageError naming `flag` and `dir` when reports cannot be written into `dir`. */
export function checkOutDir(dir: string, flag = '--out'): void {
  if (dir.trim() === '') throw new UsageError(`${flag} is empty (give a directory, or omit it for the default)`);
  const wanted = resolve(dir);
  // The nearest part of the path that exists decides: the rest is created.
  let existing = wanted;
  let stat = statOrNothing(existing);
  while (!stat && dirname(existing) !== existing) {
    existing = dirname(existing);
    stat = statOrNothing(existing);
  }
  const real = stat ? realpathSync(existing) : existing;
  if (PSEUDO_FS.some((root) => under(wanted, root) || under(real, root)))
    throw new UsageError(`${flag} '${dir}' is on a kernel pseudo-filesystem (${PSEUDO_FS.join(', ')}); give a directory on disk`);
  if (!stat) throw new UsageError(`${flag} '${dir}': no part of the path exists`);
  if (!stat.isDirectory())
    throw new UsageError(existing === wanted ? `${flag} '${dir}' is an existing file, not a directory` : `${flag} '${dir}': ${existing} is a file, not a directory`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`${flag} '${dir}': ${existing === wanted ? 'the directory' : existing} is not writable`);
  }
}
