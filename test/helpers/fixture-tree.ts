/**
 * A kernel tree made of our own C fixtures (test/fixtures/extract/, never
 * kernel source) in a temporary directory removed after the test file.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.ts';

export const EXTRACT_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'extract');

/** A tree whose kernel/dma/<name> is a copy of fixture file `files[name]`, e.g. `{ 'direct.c': 'front-end-direct.c' }`. */
export function fixtureTree(files: Readonly<Record<string, string>>, what = 'tree'): string {
  const dir = tempDir(what);
  mkdirSync(join(dir, 'kernel', 'dma'), { recursive: true });
  for (const [name, fixture] of Object.entries(files)) copyFileSync(join(EXTRACT_FIXTURES, fixture), join(dir, 'kernel', 'dma', name));
  return dir;
}
