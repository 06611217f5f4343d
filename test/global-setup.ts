/**
 * The test run's temporary directory, and the check that tests leave none
 * of theirs behind. Every test process (vitest's forks, the CLI processes
 * tests start, their worker threads) gets a fresh TMPDIR of its own, so
 * os.tmpdir() points there; at the end, any `dmacheck-*` entry still in it
 * was left by a test or by the code it ran, and fails the run. Runs of
 * other checkouts on the same machine neither disturb nor trip the check.
 */
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env['TMPDIR'];
  const root = mkdtempSync(join(tmpdir(), 'dmacheck-test-run-'));
  // Open to every user as /tmp is: some tests run the CLI as another user.
  chmodSync(root, 0o1777);
  process.env['TMPDIR'] = root;
  return () => {
    const left = readdirSync(root).filter((name) => name.startsWith('dmacheck-')).sort();
    rmSync(root, { recursive: true, force: true });
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    if (!left.length) return;
    // vitest reports an error thrown here but still exits 0; the exit code is what CI reads.
    process.exitCode = 1;
    throw new Error(`tests left ${left.length} temporary director${left.length === 1 ? 'y' : 'ies'} behind: ${left.join(', ')}`);
  };
}
