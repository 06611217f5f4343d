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
  /** what a string option takes, for help: `IDS`, `N`, `DIR` */
  readonly value?: string;
  readonly description: string;
  readonly default?: string;
  readonly example?: string;
  readonly short?: string;
  /** may be given more than once; its value is then the list of values given */
  readonly multiple?: boolean;
}

/** Parsed option values: a string, a boolean, or the strings of a `multiple` option. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** positional arguments, for help text: e.g. `A B` */
  readonly positionals?: string;
  readonly options: readonly OptionSpec[];
  run(values: OptionValues, positionals: string[], io: Io): Promise<number>;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

/** Success: every property holds, versions equivalent, trace fixed. */
export const EXIT_OK = 0;
/** A verdict CI acts on: violated, different, reproduced. Nothing else exits 1. */
export const EXIT_VIOLATED = 1;
/** Bad input: one line on stderr naming the bad value (and the valid ones). */
export const EXIT_USAGE = 2;
/** Replay diverged from the recorded trace (or does not apply to the version). */
export const EXIT_DIVERGED = 3;
/** Incomplete: a run cut by --max-memory or not finished, and nothing violated in the part that ran. */
export const EXIT_INCOMPLETE = 4;
/** Internal error: an unexpected exception (the stack with --debug). */
export const EXIT_INTERNAL = 70;

/** The exit codes, as help and the README state them. */
export const EXIT_CODES_HELP = 'Exit codes: 0 success (holds, equivalent, fixed); 1 violated, different or reproduced; 2 bad input; ' +
  '3 replay diverged; 4 incomplete (cut by --max-memory or interrupted, nothing violated in the part that ran); ' +
  '70 internal error (the stack with --debug); 130/143 interrupted by SIGINT/SIGTERM.';

export const HELP_WIDTH = 80;

/** Options every command accepts (main() handles them). */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'debug', type: 'boolean', description: 'on an internal error, print the stack trace' },
  { name: 'help', type: 'boolean', description: 'show this help' },
];

export function parseCommandArgs(cmd: Command, argv: string[]): { values: OptionValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const o of cmd.options) options[o.name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  options['help'] = { type: 'boolean', short: 'h' };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!;
    const m = /Unknown option '([^']+)'/.exec(msg);
    if (m) throw new UsageError(`unknown option '${m[1]}' for 'dmacheck ${cmd.name}' (valid: ${cmd.options.map((o) => `--${o.name}`).join(', ')})`);
    const amb = /Option '(--[^']+)' argument is ambiguous/.exec(msg);
    if (amb) throw new UsageError(`option '${amb[1]}' got a value starting with '-' (write ${amb[1]}=VALUE if you mean it)`);
    throw new UsageError(msg);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name) && !options[t.name]?.multiple) throw new UsageError(`--${t.name} given more than once (give it once${options[t.name]?.type === 'string' ? ', with a comma list where it takes several' : ''})`);
    seen.add(t.name);
    if (typeof t.value === 'string' && t.value.trim() === '') throw new UsageError(`--${t.name} has an empty value (omit the flag for its default)`);
  }
  return { values: parsed.values as OptionValues, positionals: parsed.positionals };
}

/** `text` word-wrapped in lines of at most `width` columns: the first starts with `first` (padded to `indent`), the rest with `indent` spaces. */
export function wrap(first: string, text: string, indent: number, width = HELP_WIDTH): string[] {
  const lines: string[] = [];
  let line = first.padEnd(indent);
  let hasWord = false;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (hasWord && line.length + 1 + word.length > width) {
      lines.push(line);
      line = ' '.repeat(indent);
      hasWord = false;
    }
    line += (hasWord ? ' ' : '') + word;
    hasWord = true;
  }
  lines.push(line.trimEnd());
  return lines;
}

const COL = 26;

function optionLines(o: OptionSpec): string[] {
  const flag = `  --${o.name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  const extra = [o.default !== undefined ? `default: ${o.default}` : '', o.example ? `example: ${o.example}` : ''].filter(Boolean).join('; ');
  const text = `${o.description}${extra ? ` (${extra})` : ''}`;
  return flag.length + 1 > COL + 3 ? [flag, ...wrap('', text, COL + 3)] : wrap(flag, text, COL + 3);
}

/** A paragraph wrapped at the help width. */
export function paragraph(text: string): string[] {
  return wrap('', text, 0);
}

export function commandHelp(cmd: Command): string {
  const lines = [`dmacheck ${cmd.name}${cmd.positionals ? ` ${cmd.positionals}` : ''} [options]`, '', ...paragraph(cmd.summary), '', 'Options:'];
  for (const o of [...cmd.options, ...GLOBAL_OPTIONS]) lines.push(...optionLines(o));
  lines.push('', ...paragraph("Valid ids (versions, platforms, properties, device knobs, entry points) come from 'dmacheck list'."));
  lines.push('', ...paragraph(EXIT_CODES_HELP));
  return lines.join('\n');
}

/** What CI needs of a result: whether something was violated, and whether the result covers every run. */
export interface Verdict {
  readonly complete: boolean;
  readonly incompleteReason?: string;
  readonly results: readonly { readonly verdict: string }[];
}

/** 1 when something is violated (even in an incomplete result), else 4 when incomplete, else 0. */
export function resultsExitCode(res: Verdict): number {
  if (res.results.some((r) => r.verdict === 'violated')) return EXIT_VIOLATED;
  return res.complete ? EXIT_OK : EXIT_INCOMPLETE;
}

/** `INCOMPLETE (why): ` before a console summary line of an incomplete result, else nothing. */
export function incompleteNote(res: Verdict): string {
  return res.complete ? '' : `INCOMPLETE (${res.incompleteReason ?? 'not every run finished'}): `;
}
