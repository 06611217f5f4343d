/**
 * A kernel tree as a version: read its files, extract its dma_direct_*
 * entry points, choose its environment generation, and say which entry
 * points the hand models complete. The result is the plain data of
 * tree-registry.ts, which makes it a KernelVersion.
 *
 * The environment generation is what the code uses: direct.c that passes
 * `attrs` to swiotlb_alloc() or tracks __DMA_ATTR_ALLOC_CC_SHARED runs in
 * the CC_SHARED world (pools and swiotlb that record shared memory), any
 * other in the classic one. `--env VERSION` takes VERSION's instead.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../check/selection.ts';
import type { EnvGeneration } from '../../models/platforms.ts';
import { versionById, VERSIONS } from '../../models/versions.ts';
import { ExtractError } from './extract-error.ts';
import { extractTree, MAPPING_FILE, readSource, TREE_FILES } from './extract-tree.ts';
import { compile } from '../../models/step-cache.ts';
import { buildTreeVersion, COMPLETE_FROM, TREE_ENTRY_POINTS, type TreeVersionData } from './tree-registry.ts';

/** A version id a tree may take: it travels in scenario strings (`/`, `,`, `+` and `:` separate their fields). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A --tree value: `NAME=DIR`, or `DIR` named after its last component. */
export interface TreeArg {
  readonly name: string;
  readonly dir: string;
}

export function parseTreeArg(text: string, flag = '--tree'): TreeArg {
  const eq = text.indexOf('=');
  const name = eq < 0 ? basename(resolve(text)) : text.slice(0, eq);
  const dir = eq < 0 ? text : text.slice(eq + 1);
  if (dir === '') throw new UsageError(`bad ${flag} '${text}' (valid: NAME=DIR or DIR, e.g. mine=~/linux)`);
  if (!NAME.test(name)) {
    throw new UsageError(`bad ${flag} '${text}': '${name}' cannot be a version id (valid: letters, digits, '.', '_', '-', starting with a letter or digit; write NAME=DIR)`);
  }
  return { name, dir };
}

/** Parse every --tree value; a name that is a hand-written version's, or given twice, is bad input. */
export function parseTreeArgs(texts: readonly string[], flag = '--tree'): TreeArg[] {
  const out: TreeArg[] = [];
  for (const t of texts) {
    const a = parseTreeArg(t, flag);
    if (versionById(a.name) && !out.some((o) => o.name === a.name)) {
      throw new UsageError(`${flag} '${t}': '${a.name}' is already a version id (taken: ${VERSIONS.map((v) => v.id).join(', ')}); name the tree with NAME=DIR`);
    }
    if (out.some((o) => o.name === a.name)) throw new UsageError(`${flag} '${t}': the name '${a.name}' is given to two trees (name them with NAME=DIR)`);
    out.push(a);
  }
  return out;
}

/** The hand-written version --env names (its environment generation is taken); bad input for any other id. */
export function parseEnvArg(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!VERSIONS.some((v) => v.id === text)) throw new UsageError(`unknown --env version '${text}' (valid: ${VERSIONS.map((v) => v.id).join(', ')})`);
  return text;
}

/** A file the extractor reads from a tree: its path relative to the tree, and its contents. */
export interface TreeText {
  readonly path: string;
  readonly text: string;
}

/** The files of TREE_FILES and mapping.c that the tree has (what the extractor reads, hashed and scanned for the environment). */
export function readTreeFiles(dir: string): TreeText[] {
  return [...TREE_FILES, MAPPING_FILE].filter((rel) => existsSync(join(dir, rel))).map((path) => ({ path, text: readSource(join(dir, path)) }));
}

/** C comments removed, so that a comment naming a function does not count as a use. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

/** The generation the code of `files` runs in, and why. */
export function detectEnv(files: readonly TreeText[]): { env: EnvGeneration; why: string } {
  const c = files.map((f) => code(f.text)).join('\n');
  if (/\bswiotlb_alloc\s*\([^;()]*,[^;()]*,/.test(c)) return { env: 'cc-shared', why: 'detected: swiotlb_alloc() is passed attrs' };
  if (/\b__DMA_ATTR_ALLOC_CC_SHARED\b/.test(c)) return { env: 'cc-shared', why: 'detected: __DMA_ATTR_ALLOC_CC_SHARED is used' };
  return { env: 'classic', why: 'detected: swiotlb_alloc() takes no attrs, no __DMA_ATTR_ALLOC_CC_SHARED' };
}

/** sha256 over the files read, each as its path, a NUL, its contents, a NUL. */
export function treeHash(files: readonly TreeText[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.path}\0${f.text}\0`);
  return h.digest('hex');
}

/**
 * The version data of tree `arg`.
 * An extraction error is bad input, one line naming the file in the tree,
 * its line and column.
 */
export async function treeVersionData(arg: TreeArg, envVersion?: string): Promise<TreeVersionData> {
  let extracted;
  let files: TreeText[];
  try {
    extracted = await extractTree(arg.dir, TREE_ENTRY_POINTS);
    files = readTreeFiles(arg.dir);
  } catch (e) {
    if (e instanceof ExtractError) throw new UsageError(`--tree ${arg.name}: ${join(arg.dir, e.file)}:${e.line}:${e.column}: ${e.problem}`);
    throw e;
  }
  const machines = extracted.flatMap((f) => f.machines);
  const detected = detectEnv(files);
  const env = envVersion !== undefined ? versionById(envVersion)!.env : detected.env;
  const completedFrom = envVersion ?? COMPLETE_FROM[env];
  const data: TreeVersionData = {
    id: arg.name,
    path: resolve(arg.dir),
    sha256: treeHash(files),
    files: files.map((f) => ({ path: f.path, sha256: createHash('sha256').update(f.text).digest('hex') })),
    env,
    envFrom: envVersion !== undefined ? `--env ${envVersion}` : detected.why,
    completedFrom,
    completed: TREE_ENTRY_POINTS.filter((ep) => !machines.some((m) => m.id === ep)),
    machines,
  };
  checkRunnable(data);
  return data;
}

/**
 * Every machine of the version must fit the explorer's thread record (the
 * step cache numbers a machine's states in 7 bits): a front-end machine
 * holds its dma_direct_* machine's states too. Checked here, in one line,
 * before anything runs.
 */
function checkRunnable(data: TreeVersionData): void {
  for (const [ep, m] of Object.entries(buildTreeVersion(data).machines)) {
    try {
      compile(m);
    } catch (e) {
      throw new UsageError(`--tree ${data.id}: ${ep} cannot run: it has ${Object.keys(m.states).length} states${ep.startsWith('dma_direct_') ? '' : ' with the extracted machine it calls spliced in'}, ${(e as Error).message.replace(/^[^:]*: /, '')}`);
    }
  }
}

/** The note a run prints (stderr) for a tree whose entry points the hand models complete; undefined when the tree defines them all. */
export function completionNote(d: TreeVersionData): string | undefined {
  if (!d.completed.length) return undefined;
  const read = d.files.map((f) => f.path).join(', ');
  const absent = [...TREE_FILES, MAPPING_FILE].filter((f) => !d.files.some((r) => r.path === f));
  return `dmacheck: tree ${d.id}: ${read} define${d.files.length === 1 ? 's' : ''} no ${d.completed.join(', ')}; ` +
    `ABSTRACTION: ${d.completed.length === 1 ? 'it runs' : 'they run'} the hand-written ${d.completedFrom} machine${d.completed.length === 1 ? '' : 's'}` +
    `${absent.length ? ` (the tree has no ${absent.join(', ')})` : ''}`;
}
