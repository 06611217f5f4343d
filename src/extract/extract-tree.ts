/**
 * Extraction from a kernel tree: kernel/dma/direct.c, then kernel/dma/direct.h
 * for the entry points direct.c does not define (before v7.3,
 * dma_direct_map_phys / dma_direct_unmap_phys are inline in direct.h), then
 * kernel/dma/mapping.c for the front-end entry points asked for, with the
 * dma_direct_* machines extracted before spliced in where they are called.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../check/selection.ts';
import { ExtractError } from './extract-error.ts';
import { DEFAULT_ENTRIES, extractFile, type FileExtraction } from './extract-file.ts';
import type { Callees, ExtractedMachine } from './translate.ts';
import { FRONT_END } from '../../models/versions.ts';

/** The files of a tree that hold the entry points, as paths relative to the tree. */
export const TREE_FILES = ['kernel/dma/direct.c', 'kernel/dma/direct.h'] as const;

/** The file of the mapping.c front end, read after TREE_FILES when a front-end entry point is asked for. */
export const MAPPING_FILE = 'kernel/dma/mapping.c';

/** The contents of a file, or a UsageError naming it. */
export function readSource(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file '${path}'`);
  return readFileSync(path, 'utf8');
}

/**
 * Every entry point of `entries` that the tree `dir` defines, file by file
 * (meta.source names the files relative to the tree). A front-end entry
 * point gets the dma_direct_* machine it calls from `callees`, else from
 * the tree (extracted for that, and returned only if asked for too).
 * Throws a UsageError if `dir` is no kernel tree, an ExtractError if
 * direct.c defines no entry point or one cannot be translated.
 */
export async function extractTree(dir: string, entries: readonly string[] = DEFAULT_ENTRIES, callees: Callees = () => undefined): Promise<FileExtraction[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such directory '${dir}' (--tree takes a kernel source tree)`);
  const main = join(dir, TREE_FILES[0]);
  if (!existsSync(main)) throw new UsageError(`'${dir}' is not a kernel tree: no ${TREE_FILES[0]}`);
  const out: FileExtraction[] = [];
  const called = entries.flatMap((e) => FRONT_END[e as keyof typeof FRONT_END] ?? []).filter((e) => !callees(e));
  const missing = new Set([...entries, ...called]);
  let none: ExtractError | undefined;
  const extracted = new Map<string, ExtractedMachine>();
  for (const rel of [...TREE_FILES, MAPPING_FILE]) {
    const path = join(dir, rel);
    if (!existsSync(path)) continue;
    const want = [...missing];
    if (want.length === 0) break;
    try {
      const f = await extractFile(rel, readSource(path), want, (name) => callees(name) ?? extracted.get(name));
      f.machines.forEach((m) => { missing.delete(m.id); extracted.set(m.id, m); });
      const asked = f.machines.filter((m) => entries.includes(m.id));
      if (asked.length) out.push({ ...f, machines: asked });
    } catch (e) {
      // a file without an entry point is fine when another file of the tree has them
      if (!(e instanceof ExtractError && e.problem.startsWith('no entry point'))) throw e;
      none ??= e;
    }
  }
  if (out.length === 0 && none) throw none;
  return out;
}
