/** Temporary directories for a test file, removed after its last test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A function making a new `dmacheck-<name>-*` directory under the system temporary directory; all go after the file's tests. */
export function tempDirs(name: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), `dmacheck-${name}-`));
    dirs.push(d);
    return d;
  };
}
