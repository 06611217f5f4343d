/**
 * Temporary directories for tests, removed after the test file that made
 * them (test/cleanup.ts), so that a run leaves none behind
 * (test/global-setup.ts checks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A fresh directory `<tmpdir>/dmacheck-<what>-XXXXXX`. */
export function tempDir(what: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dmacheck-${what}-`));
  made.push(dir);
  return dir;
}

/** Remove every directory tempDir made in this process so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
