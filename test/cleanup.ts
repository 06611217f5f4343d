/**
 * Run in every test process after its tests (vitest setupFiles): remove the
 * temporary directories its tests made with tempDir(), and the directory of
 * worker bundles (src/parallel/worker-script.ts) that this process made. That
 * module removes its directory when the process exits, but vitest ends its
 * test processes in a way that skips exit handlers.
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DIR_PREFIX } from '../src/parallel/worker-script.ts';
import { removeTempDirs } from './temp-dir.ts';

afterAll(() => {
  removeTempDirs();
  for (const name of readdirSync(tmpdir())) if (name.startsWith(`${DIR_PREFIX}${process.pid}-`)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
});
