/**
 * `dmacheck check-kernel`: is the translation right? Each kernel tree is
 * extracted and compared with the hand-written version of the same code by
 * dmacheck's own `diff` (calls-v1; the default matrix unless narrowed).
 * Equivalent means the extractor and the hand model agree on every run
 * within the bound; a difference is a bug in one of them, shown by its
 * shortest distinguishing scenario. Exit 0 all equivalent, 1 some differ,
 * 2 bad input (a tree that does not extract included).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseSelection, UsageError, type Selection } from '../../check/selection.ts';
import { checkRunsSelected } from '../../check/verify.ts';
import { diff, type DiffResults } from '../../equivalence/diff.ts';
import { shortestFoldText } from '../../equivalence/diff-report.ts';
import { DEFAULT_OBSERVABLE } from '../../equivalence/observable.ts';
import { TREE_FILES } from '../../extract/extract-tree.ts';
import { loadTreeVersion, TREE_ENTRY_POINTS, unloadTreeVersion } from '../../extract/tree-registry.ts';
import { detectEnv, readTreeFiles, treeVersionData } from '../../extract/tree-version.ts';
import { versionById, VERSIONS } from '../../../models/versions.ts';
import { EXIT_OK, EXIT_USAGE, EXIT_VIOLATED, type Command, type Io } from '../command.ts';
import { progress } from '../progress.ts';
import { DIFF_OPTIONS } from './diff.ts';
import { selectionFlagsOf, workersOf } from './verify.ts';

/** A tree to compare, and the hand-written version it must equal. */
export interface KernelTree {
  readonly hand: string;
  readonly dir: string;
}

const HAND_IDS = () => VERSIONS.map((v) => v.id);
const isTree = (dir: string) => existsSync(join(dir, TREE_FILES[0]));

function handId(id: string, what: string): string {
  if (!versionById(id) || !HAND_IDS().includes(id)) throw new UsageError(`${what}: '${id}' is not a hand-written version (valid: ${HAND_IDS().join(', ')})`);
  return id;
}

/**
 * The trees of the arguments: `NAME=DIR` pairs; or one DIR that is a tree
 * (compared with --as, or with the version its name is); or one DIR whose
 * subdirectories named after hand-written versions are trees.
 */
export function kernelTrees(args: readonly string[], as: string | undefined): KernelTree[] {
  if (args.length === 0) throw new UsageError(`missing the trees: dmacheck check-kernel DIR, or NAME=DIR ... (NAME one of ${HAND_IDS().join(', ')})`);
  if (args.some((a) => a.includes('='))) {
    if (as !== undefined) throw new UsageError('--as names the version of one tree DIR; with NAME=DIR the NAME says it');
    return args.map((a) => {
      const [name, dir] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
      if (!a.includes('=') || dir === '') throw new UsageError(`bad tree '${a}' (valid: NAME=DIR, NAME one of ${HAND_IDS().join(', ')})`);
      return { hand: handId(name, `tree '${a}'`), dir };
    });
  }
  if (args.length > 1) throw new UsageError(`give one DIR, or NAME=DIR pairs (got ${args.length} arguments without NAME=)`);
  const dir = args[0]!;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`no such directory '${dir}'`);
  if (isTree(dir)) {
    const name = as ?? basename(dir);
    if (as === undefined && !HAND_IDS().includes(name)) throw new UsageError(`'${dir}' is one tree: say which hand-written version it is with --as VERSION (valid: ${HAND_IDS().join(', ')})`);
    return [{ hand: handId(name, '--as'), dir }];
  }
  if (as !== undefined) throw new UsageError(`--as names the version of one tree, and '${dir}' has no ${TREE_FILES[0]}`);
  const subdirs = new Set(readdirSync(dir));
  const trees = HAND_IDS().filter((id) => subdirs.has(id) && isTree(join(dir, id))).map((id) => ({ hand: id, dir: join(dir, id) }));
  if (!trees.length) throw new UsageError(`'${dir}' is no kernel tree (no ${TREE_FILES[0]}) and has no subdirectory named after a hand-written version that is one (valid names: ${HAND_IDS().join(', ')})`);
  return trees;
}

/**
 * What a tree is compared over: the selection flags, and without
 * --entry-points the entry points a tree is read for and the driver's mask
 * step that reaches them. The others (the environment's own steps, the
 * restricted-pool probe and the atomic pool worker; the streaming calls
 * with a caller-shared buffer) are hand machines on both sides, since a
 * tree does not define them: they would multiply the runs without
 * comparing any extracted code.
 */
function comparedSelection(values: Parameters<Command['run']>[0], hand: string): Selection {
  const selection = parseSelection({ ...selectionFlagsOf(values), versions: hand, properties: undefined });
  if (values['entry-points'] !== undefined) return selection;
  return { ...selection, entryPoints: selection.entryPoints.filter((e) => TREE_ENTRY_POINTS.includes(e) || e === 'dma_set_coherent_mask') };
}

/** The one line of a compared tree (and, when it differs, the scenario below it). */
function treeLine(t: KernelTree, r: DiffResults, notes: readonly string[]): string {
  const tail = notes.length ? `; ${notes.join('; ')}` : '';
  const bound = `${r.selection.threads}x${r.selection.calls}, ${r.observable.id}`;
  if (r.verdict === 'equivalent') {
    return `${t.hand}: ${t.dir}: ${r.complete ? 'equivalent' : 'no difference found (INCOMPLETE)'} to the hand-written ${t.hand} over ${r.totals.runs} runs (${bound})${tail}`;
  }
  const d = r.totals.different;
  return `${t.hand}: ${t.dir}: different from the hand-written ${t.hand} in ${d.effective + d.latent} of ${r.totals.runs} runs (${bound})${tail}; shortest scenario:\n` +
    shortestFoldText(r).split('\n').map((l) => `    ${l}`).join('\n');
}

async function compareTree(t: KernelTree, values: Parameters<Command['run']>[0], io: Io): Promise<{ line: string; code: number }> {
  const name = `${t.hand}.tree`;
  let data;
  try {
    data = await treeVersionData({ name, dir: t.dir }, t.hand);
    const detected = detectEnv(readTreeFiles(t.dir)).env;
    const notes = [
      ...(detected !== versionById(t.hand)!.env ? [`its code reads as environment ${detected}, ${t.hand}'s is ${versionById(t.hand)!.env} (compared in ${t.hand}'s)`] : []),
      ...(data.completed.length ? [`${data.completed.join(', ')} not in the tree, taken from the hand model`] : []),
    ];
    const selection = comparedSelection(values, t.hand);
    checkRunsSelected(selection);
    loadTreeVersion(data);
    const bar = progress(io, `check-kernel ${t.hand}`, Boolean(values['quiet']));
    let r;
    try {
      r = await diff({ a: t.hand, b: name, selection, observable: DEFAULT_OBSERVABLE, workers: workersOf(values['workers']), onProgress: (p) => bar.update(p) });
    } finally {
      bar.finish();
    }
    return { line: treeLine(t, r, notes), code: r.verdict === 'different' ? EXIT_VIOLATED : EXIT_OK };
  } catch (e) {
    // a tree that does not extract (or whose machines cannot run): its line says why, and the others are still compared
    if (e instanceof UsageError && data === undefined) return { line: `${t.hand}: ${t.dir}: not compared: ${e.message.replace(/^--tree \S+: /, '')}`, code: EXIT_USAGE };
    throw e;
  } finally {
    unloadTreeVersion(name);
  }
}

const SELECTION = ['platforms', 'threads', 'calls', 'workers', 'device', 'entry-points', 'quiet'];

export const checkKernelCommand: Command = {
  name: 'check-kernel',
  summary: "compare the machines extracted from kernel trees with the hand-written versions of the same code (dmacheck diff, calls-v1): one line per tree, equivalent or different with the shortest distinguishing scenario",
  positionals: 'DIR | NAME=DIR ...',
  options: [
    { name: 'as', type: 'string', value: 'VERSION', description: 'DIR is one tree: the hand-written version it must equal', default: "the tree's directory name", example: 'v7.3' },
    ...DIFF_OPTIONS.filter((o) => SELECTION.includes(o.name))
      .map((o) => (o.name === 'entry-points' ? { ...o, default: "the entry points a tree is read for, and dma_set_coherent_mask (the others are the same hand machines on both sides)" } : o)),
  ],
  async run(values, positionals, io) {
    const trees = kernelTrees(positionals, values['as'] as string | undefined);
    // checked before anything runs: a bad flag is bad input for every tree
    checkRunsSelected(comparedSelection(values, trees[0]!.hand));
    let code = EXIT_OK;
    for (const t of trees) {
      const r = await compareTree(t, values, io);
      io.out(r.line);
      if (r.code === EXIT_USAGE || (r.code === EXIT_VIOLATED && code === EXIT_OK)) code = r.code;
    }
    return code;
  },
};
