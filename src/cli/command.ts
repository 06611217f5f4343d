/**
 * A CLI command: a typed option table (each option with a description,
 * default and example) and a run function returning the exit code.
 * Commands set no process state; main() owns process.exitCode.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../check/selection.ts';

export interface OptionSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly default?: string;
  readonly example?: string;
  readonly short?: string;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** positional arguments, for help text: e.g. `A B` */
  readonly positionals?: string;
  readonly options: readonly OptionSpec[];
  run(values: Record<string, string | boolean | undefined>, positionals: string[], io: Io): Promise<number>;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

export const EXIT_OK = 0;
export const EXIT_VIOLATED = 1;
export const EXIT_USAGE = 2;
/** Incomplete: a run cut by --max-memory or not finished, and nothing violated in the part that ran. */
export const EXIT_INCOMPLETE = 4;

export function parseCommandArgs(cmd: Command, argv: string[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const o of cmd.options) options[o.name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  options['help'] = { type: 'boolean', short: 'h' };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    const m = /Unknown option '([^']+)'/.exec(msg);
    if (m) throw new UsageError(`unknown option '${m[1]}' for 'dmacheck ${cmd.name}' (valid: ${cmd.options.map((o) => `--${o.name}`).join(', ')})`);
    const amb = /Option '(--[^']+)' argument is ambiguous/.exec(msg);
    if (amb) throw new UsageError(`option '${amb[1]}' got a value starting with '-' (write ${amb[1]}=VALUE if you mean it)`);
    throw new UsageError(msg);
  }
}

export function commandHelp(cmd: Command): string {
  const lines = [`dmacheck ${cmd.name}${cmd.positionals ? ` ${cmd.positionals}` : ''} [options]`, '', cmd.summary, '', 'Options:'];
  for (const o of cmd.options) {
    const flag = `--${o.name}${o.type === 'string' ? ' VALUE' : ''}`;
    lines.push(`  ${flag.padEnd(26)} ${o.description}`);
    const extra = [o.default !== undefined ? `default: ${o.default}` : '', o.example ? `example: ${o.example}` : ''].filter(Boolean).join('; ');
    if (extra) lines.push(`  ${''.padEnd(26)} (${extra})`);
  }
  lines.push(`  ${'--help'.padEnd(26)} show this help`);
  return lines.join('\n');
}
