/**
 * The command table. Each command's module is imported only when that
 * command runs (or help lists them all), so `dmacheck list` does not load
 * the explorer, the worker pools, the reports or fast-check. The commands
 * that take versions take kernel trees as versions too (--tree).
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

/** `cmd` with --tree and --env (src/cli/tree-flags.ts): the commands that take versions. */
async function withTrees(cmd: Command): Promise<Command> {
  return (await import('../tree-flags.ts')).withTrees(cmd);
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'verify', load: async () => withTrees((await import('./verify.ts')).verifyCommand) },
  { name: 'list', load: async () => (await import('./list.ts')).listCommand },
  { name: 'merge', load: async () => withTrees((await import('./merge.ts')).mergeCommand) },
  { name: 'trace', load: async () => withTrees((await import('./trace.ts')).traceCommand) },
  { name: 'replay', load: async () => withTrees((await import('./replay.ts')).replayCommand) },
  { name: 'nightly', load: async () => withTrees((await import('./nightly.ts')).nightlyCommand) },
  { name: 'simulate', load: async () => withTrees((await import('./simulate.ts')).simulateCommand) },
  { name: 'diff', load: async () => withTrees((await import('./diff.ts')).diffCommand) },
  { name: 'extract', load: async () => (await import('./extract.ts')).extractCommand },
  { name: 'check-patch', load: async () => (await import('./check-patch.ts')).checkPatchCommand },
  { name: 'check-kernel', load: async () => (await import('./check-kernel.ts')).checkKernelCommand },
  { name: 'findings', load: async () => withTrees((await import('./findings.ts')).findingsCommand) },
];
