import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { toolVersion, versionLine } from '../../src/cli/version.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  return { io, out, err };
}

describe('dmacheck --version', () => {
  it("is package.json's version, and the commit of the checkout it runs from", () => {
    const v = toolVersion();
    expect(v.version).toBe(VERSION);
    // the tests run from the repository; a copy without .git (an unpacked source archive) has no commit
    if (!existsSync(join(ROOT, '.git'))) {
      expect(v.commit).toBeUndefined();
      return;
    }
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
    expect(v.commit).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
    expect(head.startsWith(v.commit!.replace(/-dirty$/, ''))).toBe(true);
  });

  it('prints one line and exits 0', async () => {
    const c = capture();
    expect(await main(['--version'], c.io)).toBe(0);
    expect(c.err).toEqual([]);
    expect(c.out).toEqual([versionLine()]);
    expect(versionLine({ version: '1.2.3' })).toBe('dmacheck 1.2.3');
    expect(versionLine({ version: '1.2.3', commit: '0123456789ab-dirty' })).toBe('dmacheck 1.2.3 (git 0123456789ab-dirty)');
  });

  it('is listed in the usage, which still lists every command with its summary', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text.replace(/\s+/g, ' ')).toContain("'dmacheck --version' for the version");
    for (const name of ['verify', 'list', 'merge', 'trace', 'replay', 'nightly', 'simulate', 'diff']) expect(text).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });
});
