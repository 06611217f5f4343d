/**
 * The proof that the translation is right, on a kernel tree a developer
 * has: extract the tree's entry points and compare each, by its run set
 * (machine-runs.ts), with the hand-written machine of a known version.
 * The lead's and `check-kernel`'s comparison of a tree with a version.
 */
import { FRONT_END, versionById, VERSION_IDS, type EntryPoint } from '../../models/versions.ts';
import { UsageError } from '../check/selection.ts';
import { DEFAULT_ENTRIES, FRONT_END_ENTRIES } from './extract-file.ts';
import { extractTree } from './extract-tree.ts';
import { machineDifference, type RunDifference } from './machine-runs.ts';
import { toMachine, type Callees, type ExtractedMachine } from './translate.ts';

export interface EntryComparison {
  readonly entry: string;
  /** `missing`: neither the tree nor the fallback tree defines the entry point */
  readonly status: 'equal' | 'different' | 'missing';
  /** the file (relative to its tree) the machine was extracted from, and that tree */
  readonly file?: string;
  readonly tree?: string;
  readonly difference?: RunDifference;
}

export interface TreeComparison {
  readonly tree: string;
  readonly version: string;
  readonly entries: readonly EntryComparison[];
  /** every entry point extracted is equal and none is missing */
  readonly equal: boolean;
}

export interface CompareOptions {
  /** the entry points to compare (default: every dma_direct_* entry point and the mapping.c front end) */
  readonly entries?: readonly string[];
  /**
   * a tree to take the entry points from that `dir` does not define (e.g.
   * an older tree's direct.h, or its mapping.c: a front end taken from it
   * has `dir`'s own dma_direct_* machines spliced in)
   */
  readonly fallbackTree?: string;
}

async function extracted(dir: string, entries: readonly string[], callees?: Callees): Promise<Map<string, { m: ExtractedMachine; tree: string }>> {
  const out = new Map<string, { m: ExtractedMachine; tree: string }>();
  for (const f of await extractTree(dir, entries, callees)) for (const m of f.machines) out.set(m.id, { m, tree: dir });
  return out;
}

/**
 * Compare the machines extracted from `dir` with the hand-written machines
 * of `versionId`, entry point by entry point, over every input. Throws a
 * UsageError for an unknown version, an ExtractError if the tree does not
 * extract.
 */
export async function compareTreeWithHand(dir: string, versionId: string, options: CompareOptions = {}): Promise<TreeComparison> {
  const version = versionById(versionId);
  if (!version) throw new UsageError(`unknown version '${versionId}' (valid: ${VERSION_IDS.join(', ')})`);
  const wanted = options.entries ?? [...DEFAULT_ENTRIES, ...FRONT_END_ENTRIES];
  // the dma_direct_* machines a front end calls come from `dir` first, even when its mapping.c comes from the fallback
  const read = [...new Set([...wanted, ...wanted.flatMap((e) => FRONT_END[e as keyof typeof FRONT_END] ?? [])])];
  const found = await extracted(dir, read);
  const direct = read.filter((e) => !found.has(e) && !FRONT_END_ENTRIES.includes(e));
  if (options.fallbackTree !== undefined && direct.length) {
    for (const [id, x] of await extracted(options.fallbackTree, direct)) found.set(id, x);
  }
  const front = read.filter((e) => !found.has(e));
  if (options.fallbackTree !== undefined && front.length) {
    for (const [id, x] of await extracted(options.fallbackTree, front, (name) => found.get(name)?.m)) found.set(id, x);
  }
  const entries = wanted.map((entry): EntryComparison => {
    const x = found.get(entry);
    if (!x) return { entry, status: 'missing' };
    const hand = version.machines[entry as EntryPoint];
    const difference = machineDifference(toMachine(x.m), hand);
    return { entry, status: difference ? 'different' : 'equal', file: x.m.file, tree: x.tree, ...(difference ? { difference } : {}) };
  });
  return { tree: dir, version: versionId, entries, equal: entries.every((e) => e.status === 'equal') };
}

/** One line per entry point: `entry: equal (file)`, or the first differing run (extracted vs hand). */
export function comparisonText(c: TreeComparison): string {
  const lines = [`${c.tree} vs ${c.version}: ${c.equal ? 'equal' : 'different'}`];
  for (const e of c.entries) {
    if (e.status === 'missing') { lines.push(`  ${e.entry}: missing (not defined in the tree)`); continue; }
    const from = `${e.tree === c.tree ? '' : `${e.tree}/`}${e.file}`;
    lines.push(`  ${e.entry}: ${e.status} (${from})`);
    if (e.difference) {
      const d = e.difference;
      lines.push(`    input: ${d.input.join(' ') || '(all false)'}`);
      lines.push(`    extracted only: ${d.onlyLeft ?? '-'}`, `    hand only:      ${d.onlyRight ?? '-'}`);
    }
  }
  return lines.join('\n');
}
