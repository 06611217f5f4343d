/** An unexpected exception: one line and exit 70; the stack only with --debug. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EXIT_INTERNAL } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from './capture.ts';

vi.mock('../../src/check/verify.ts', async (original) => ({
  ...(await original<typeof import('../../src/check/verify.ts')>()),
  verify: async () => {
    throw new TypeError("Cannot read properties of undefined (reading 'tasks')\nsecond line");
  },
}));

const root = mkdtempSync(join(tmpdir(), 'dmacheck-internal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const ARGS = ['verify', '--versions', 'baseline', '--platforms', 'cca', '--threads', '1', '--calls', '1', '--workers', '1', '--quiet', '--out', join(root, 'out')];

describe('internal errors', () => {
  it('print one line without the stack and exit 70, never 1', async () => {
    const io = capture();
    expect(await main(ARGS, io)).toBe(EXIT_INTERNAL);
    expect(io.stderr).toEqual([
      "dmacheck verify: internal error: Cannot read properties of undefined (reading 'tasks') second line (exit 70; run again with --debug for the stack trace, and please report it)",
    ]);
    expect(io.stdout).toEqual([]);
  });

  it('print the stack with --debug, which every command accepts anywhere', async () => {
    const io = capture();
    expect(await main(['--debug', ...ARGS], io)).toBe(EXIT_INTERNAL);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/^dmacheck verify: internal error: TypeError: Cannot read properties of undefined/);
    expect(io.stderr[0]).toMatch(/\n\s+at /);
    const listed = capture();
    expect(await main(['list', '--debug', '--json'], listed)).toBe(0);
    expect(JSON.parse(listed.stdout.join('\n')).versions.length).toBeGreaterThan(0);
  });

  it('turn an exception nothing awaits into exit 70 in the real process, not the 1 of a violation', () => {
    const script = "const { main } = await import('./src/cli/main.ts'); setTimeout(() => { throw new RangeError('late\\nfailure'); }, 50); " +
      'process.exitCode = await main(process.argv.slice(1));';
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'list', '--json'], {
      cwd: join(import.meta.dirname, '..', '..'), encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status).toBe(EXIT_INTERNAL);
    expect(r.stderr).toBe('dmacheck: internal error: late failure (exit 70; run again with --debug for the stack trace, and please report it)\n');
  });
});
