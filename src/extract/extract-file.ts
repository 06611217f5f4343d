/**
 * Extraction of a file's entry points: parse, lower each entry point (with
 * the file's functions inlined), translate to a machine description.
 */
import { ENTRY_POINTS } from '../../models/versions.ts';
import { ExtractError } from './extract-error.ts';
import { lowerFunction } from './lower.ts';
import { parseC } from './parse-c.ts';
import { translate, type Callees, type ExtractedMachine } from './translate.ts';

export interface FileExtraction {
  readonly file: string;
  readonly machines: readonly ExtractedMachine[];
}

/** The entry points dmacheck models; a file is read for those it defines. */
/** the dma-direct entry points (the driver's dma_set_coherent_mask step is not in direct.c) */
export const DEFAULT_ENTRIES: readonly string[] = ENTRY_POINTS.filter((e) => e.startsWith('dma_direct_'));

/** The mapping.c front end (kernel/dma/mapping.c): each contains the dma_direct_* machine it calls. */
export const FRONT_END_ENTRIES: readonly string[] = ENTRY_POINTS.filter((e) => e.startsWith('dma_') && !DEFAULT_ENTRIES.includes(e) && e !== 'dma_set_coherent_mask');

/**
 * Extract every entry point in `entries` that `file` defines (`text` is its
 * contents; `file` is the name shown in meta.source and errors). An entry
 * point it calls (table meaning `entry`) is spliced in: the file's own
 * definition if it has one, else `callees` (machines extracted from the
 * other files read). Throws an ExtractError if it defines none, or if one
 * cannot be translated.
 */
export async function extractFile(file: string, text: string, entries: readonly string[] = DEFAULT_ENTRIES, callees: Callees = () => undefined): Promise<FileExtraction> {
  const parsed = await parseC(file, text);
  const found = entries.filter((e) => parsed.functions.has(e));
  if (found.length === 0) {
    throw new ExtractError(file, 1, 1, `no entry point: defines none of ${entries.join(', ')}`);
  }
  const done = new Map<string, ExtractedMachine>();
  const machine = (name: string): ExtractedMachine | undefined => {
    if (!parsed.functions.has(name)) return callees(name);
    let m = done.get(name);
    if (!m) done.set(name, (m = translate(lowerFunction(parsed, name), machine)));
    return m;
  };
  return { file, machines: found.map((e) => machine(e)!) };
}
