/** An Io that records what a command prints, for calling main() in-process. */
import type { Io } from '../../src/cli/command.ts';

export function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
