/**
 * An --out the user cannot write into is refused before the run. The tests
 * run as root, for whom every directory is writable, so access(2) is made
 * to answer EACCES for one directory, as it does for an unprivileged user.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../temp-dir.ts';
import { capture } from './capture.ts';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    accessSync: (path: import('node:fs').PathLike, mode?: number) => {
      if (String(path).endsWith('locked')) throw Object.assign(new Error(`EACCES: permission denied, access '${String(path)}'`), { code: 'EACCES' });
      return fs.accessSync(path, mode);
    },
  };
});

describe('--out in a directory the user cannot write into', () => {
  it('is refused with exit 2 in one line before the run, and nothing is written', async () => {
    const locked = join(tempDir('out-dir'), 'locked');
    mkdirSync(locked);
    const io = capture();
    const code = await main(['verify', '--versions', 'baseline', '--platforms', 'cca', '--threads', '1', '--calls', '1', '--workers', '1', '--quiet', '--out', join(locked, 'reports')], io);
    expect(code).toBe(EXIT_USAGE);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^dmacheck verify: --out '.*locked\/reports': .*locked is not writable$/);
    expect(io.stdout).toEqual([]);
    expect(readdirSync(locked)).toEqual([]);
    expect(existsSync(join(locked, 'reports'))).toBe(false);
  });
});
