/**
 * Extraction from a kernel tree: kernel/dma/direct.c, then kernel/dma/direct.h
 * for the entry points direct.c does not define (before v7.3,
 * dma_direct_map_phys / dma_direct_unmap_phys are inline in direct.h).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../check/selection.ts';
import { ExtractError } from './extract-error.ts';
import { DEFAULT_ENTRIES, extractFile, type FileExtraction } from './extract-file.ts';

/** The files of a tree that hold the entry points, as paths relative to the tree. */
export const TREE_FILES = ['kernel/dma/direct.c', 'kernel/dma/direct.h'] as const;

/** The contents of a file, or a UsageError naming it. */
export function readSource(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file '${path}'`);
  return readFileSync(path, 'utf8');
}

/**
 * Every entry point of `entries` that the tree `dir` defines, file by file
 * (meta.source names the files relative to the tree). Throws a UsageError
 * if `dir` is no kernel tree, an ExtractError if direct.c defines no entry
 * point or one cannot be translated.
 */
export async function extractTree(dir: string, entries: readonly string[] = DEFAULT_ENTRIES): Promise<FileExtraction[]> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such directory '${dir}' (--tree takes a kernel source tree)`);
  const main = join(dir, TREE_FILES[0]);
  if (!existsSync(main)) throw new UsageError(`'${dir}' is not a kernel tree: no ${TREE_FILES[0]}`);
  const out: FileExtraction[] = [];
  const missing = new Set(entries);
  let none: ExtractError | undefined;
  for (const rel of TREE_FILES) {
    const path = join(dir, rel);
    if (!existsSync(path)) continue;
    const want = entries.filter((e) => missing.has(e));
    if (want.length === 0) break;
    try {
      const f = await extractFile(rel, readSource(path), want);
      f.machines.forEach((m) => missing.delete(m.id));
      out.push(f);
    } catch (e) {
      // a file without an entry point is fine when another file of the tree has them
      if (!(e instanceof ExtractError && e.problem.startsWith('no entry point'))) throw e;
      none ??= e;
    }
  }
  if (out.length === 0 && none) throw none;
  return out;
}
