/**
 * A kernel tree as the extractor reads it: kernel/dma/direct.c (and
 * direct.h where the tree keeps dma_direct_map_phys there). Shared by
 * `dmacheck extract --tree`, the versions made from trees and check-patch.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../check/selection.ts';
import { ExtractError } from './extract-error.ts';
import { extractFile, type FileExtraction } from './extract-file.ts';

/** The files of a tree that hold the entry points, as paths relative to the tree. */
export const TREE_FILES = ['kernel/dma/direct.c', 'kernel/dma/direct.h'] as const;

/** A file read from a tree: its path relative to the tree, and its contents. */
export interface TreeText {
  readonly path: string;
  readonly text: string;
}

/** Read a file the user named; a missing one is bad input. */
export function readSourceFile(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`no such file '${path}'`);
  return readFileSync(path, 'utf8');
}

/** The tree's files the extractor reads (those of TREE_FILES it has); bad input if `dir` is no kernel tree. */
export function readTree(dir: string, flag = '--tree'): TreeText[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such directory '${dir}' (${flag} takes a kernel source tree)`);
  if (!existsSync(join(dir, TREE_FILES[0]))) throw new UsageError(`'${dir}' is not a kernel tree: no ${TREE_FILES[0]}`);
  return TREE_FILES.filter((rel) => existsSync(join(dir, rel))).map((rel) => ({ path: rel, text: readSourceFile(join(dir, rel)) }));
}

/**
 * Extract `entries` from a tree's files, in TREE_FILES order: a later file
 * is read only for the entry points the earlier ones did not define, and
 * may define none of them (direct.h of a tree whose direct.c has them all).
 */
export async function extractTexts(files: readonly TreeText[], entries: readonly string[]): Promise<FileExtraction[]> {
  const out: FileExtraction[] = [];
  const missing = new Set(entries);
  for (const [i, f] of files.entries()) {
    const want = entries.filter((e) => missing.has(e));
    if (want.length === 0) break;
    try {
      const x = await extractFile(f.path, f.text, want);
      x.machines.forEach((m) => missing.delete(m.id));
      out.push(x);
    } catch (e) {
      if (!(e instanceof ExtractError && e.problem.startsWith('no entry point') && i > 0)) throw e;
    }
  }
  return out;
}

export async function extractTree(dir: string, entries: readonly string[]): Promise<FileExtraction[]> {
  return extractTexts(readTree(dir), entries);
}
