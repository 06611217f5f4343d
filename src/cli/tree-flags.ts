/**
 * `--tree NAME=DIR` and `--env VERSION` on the commands that take versions:
 * the trees are extracted and added as versions before the command runs,
 * and removed after it (so a test that runs commands in one process never
 * sees another's tree).
 */
import { UsageError } from '../check/selection.ts';
import { loadTreeVersion, unloadTreeVersion, type TreeVersionData } from '../extract/tree-registry.ts';
import type { Command, OptionSpec, OptionValues } from './command.ts';

export const TREE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'tree', type: 'string', multiple: true, value: 'NAME=DIR',
    description: "a kernel tree whose kernel/dma/direct.c (and direct.h, and the mapping.c front end) is extracted into version NAME, usable wherever a version id is (DIR alone: named after DIR's last component); may be given more than once",
    example: '--tree mine=~/linux',
  },
  {
    name: 'env', type: 'string', value: 'VERSION',
    description: "run the --tree versions in the environment generation of this hand-written version, and take the entry points a tree does not define from it",
    default: 'detected from the code (swiotlb_alloc() with attrs or __DMA_ATTR_ALLOC_CC_SHARED: that of v7.3, else that of baseline)',
    example: 'v7.3',
  },
];

/** The tree texts of `values` (none when --tree is absent). */
export function treeTexts(values: OptionValues): string[] {
  const v = values['tree'];
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}

/** Trees added as versions: their data, the notes on what the hand models complete, and how to remove them again. */
export interface LoadedTrees {
  readonly trees: readonly TreeVersionData[];
  /** for stderr once the command has run (bad input stays one line) */
  readonly notes: readonly string[];
  dispose(): void;
}

/** Extract and add the versions of `--tree` (with `--env`). */
export async function loadTrees(values: OptionValues): Promise<LoadedTrees> {
  const texts = treeTexts(values);
  const envText = values['env'] as string | undefined;
  if (!texts.length) {
    if (envText !== undefined) throw new UsageError(`--env '${envText}' applies to the versions of --tree, and none is given (add --tree NAME=DIR)`);
    return { trees: [], notes: [], dispose: () => undefined };
  }
  // the C parser loads only when a tree is read
  const { completionNote, parseEnvArg, parseTreeArgs, treeVersionData } = await import('../extract/tree-version.ts');
  const env = parseEnvArg(envText);
  const trees: TreeVersionData[] = [];
  for (const a of parseTreeArgs(texts)) trees.push(await treeVersionData(a, env));
  for (const t of trees) loadTreeVersion(t);
  const notes = trees.map(completionNote).filter((n): n is string => n !== undefined);
  return { trees, notes, dispose: () => trees.forEach((t) => unloadTreeVersion(t.id)) };
}

/** Commands that read versions from a file (a results or trace file written with --tree). */
const READS_FILES = ['trace', 'replay', 'merge'];

/** An unknown version there may be a tree's: say how to give it. */
function withTreeHint(message: string): string {
  const id = /unknown version '([^']+)'/.exec(message)?.[1];
  return id && !message.includes('--tree') ? `${message}; if '${id}' is a kernel tree's version, give --tree ${id}=DIR` : message;
}

/** `cmd` with --tree and --env: its run sees the trees as versions. */
export function withTrees(cmd: Command): Command {
  return {
    ...cmd,
    options: [...cmd.options, ...TREE_OPTIONS],
    async run(values, positionals, io) {
      const loaded = await loadTrees(values);
      try {
        const code = await cmd.run(values, positionals, io);
        loaded.notes.forEach((n) => io.err(n));
        return code;
      } catch (e) {
        throw e instanceof UsageError && READS_FILES.includes(cmd.name) ? new UsageError(withTreeHint(e.message)) : e;
      } finally {
        loaded.dispose();
      }
    },
  };
}
