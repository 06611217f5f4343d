/**
 * The command table. Each command's module is imported only when that
 * command runs (or help lists them all), so `dmacheck list` does not load
 * the explorer, the worker pools, the reports or fast-check.
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'verify', load: async () => (await import('./verify.ts')).verifyCommand },
  { name: 'list', load: async () => (await import('./list.ts')).listCommand },
  { name: 'merge', load: async () => (await import('./merge.ts')).mergeCommand },
  { name: 'trace', load: async () => (await import('./trace.ts')).traceCommand },
  { name: 'replay', load: async () => (await import('./replay.ts')).replayCommand },
  { name: 'nightly', load: async () => (await import('./nightly.ts')).nightlyCommand },
  { name: 'simulate', load: async () => (await import('./simulate.ts')).simulateCommand },
  { name: 'diff', load: async () => (await import('./diff.ts')).diffCommand },
  { name: 'extract', load: async () => (await import('./extract.ts')).extractCommand },
  { name: 'findings', load: async () => (await import('./findings.ts')).findingsCommand },
];
