/**
 * dmacheck's command line: a table of commands, each with its option table.
 * Exit codes are the constants of command.ts (EXIT_CODES_HELP): a bad input
 * is one line and exit 2, an unexpected exception one line and exit 70 (the
 * stack only with --debug, which every command accepts).
 */
import { UsageError } from '../check/selection.ts';
import { commandHelp, EXIT_CODES_HELP, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, paragraph, parseCommandArgs, wrap, type Command, type Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { versionLine } from './version.ts';

export async function usage(): Promise<string> {
  const lines = ['usage: dmacheck <command> [options]', '', 'Exhaustive model checker for the memory-encryption logic of Linux dma-direct.', '', 'Commands:'];
  for (const c of await Promise.all(COMMANDS.map((e) => e.load()))) lines.push(...wrap(`  ${c.name.padEnd(10)} `, c.summary, 13));
  lines.push('', ...paragraph("Run 'dmacheck <command> --help' for a command's options; 'dmacheck list' for the valid versions, platforms, properties, device knobs and entry points; 'dmacheck --version' for the version. --debug (any command): on an internal error, print the stack trace."));
  lines.push('', ...paragraph(EXIT_CODES_HELP));
  return lines.join('\n');
}

const stdio: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
};

/**
 * An exception nothing awaits (an event handler, a worker callback) would
 * make Node exit 1, the code of a violation: in the real process it is an
 * internal error too.
 */
function exitInternalOnUncaught(debug: boolean): void {
  const die = (e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    stdio.err(`dmacheck: internal error: ${debug ? (err.stack ?? err.message) : `${oneLine(err.message) || err.name} (exit ${EXIT_INTERNAL}; run again with --debug for the stack trace, and please report it)`}`);
    process.exit(EXIT_INTERNAL);
  };
  process.on('uncaughtException', die);
  process.on('unhandledRejection', die);
}

/** A message on one line. */
const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  // --debug is global: accepted anywhere before a `--`.
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const debug = head.includes('--debug');
  const args = debug ? [...head.filter((a) => a !== '--debug'), ...(end < 0 ? [] : argv.slice(end))] : argv;
  if (io === stdio) exitInternalOnUncaught(debug);
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(await usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version') {
    io.out(versionLine());
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    io.err(`dmacheck: unknown command '${name}' (valid: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return EXIT_USAGE;
  }
  const cmd: Command = await entry.load();
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values['help']) {
      io.out(commandHelp(cmd));
      return EXIT_OK;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dmacheck ${cmd.name}: ${oneLine(e.message)}`);
      return EXIT_USAGE;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    if (debug) io.err(`dmacheck ${cmd.name}: internal error: ${err.stack ?? err.message}`);
    else io.err(`dmacheck ${cmd.name}: internal error: ${oneLine(err.message) || err.name} (exit ${EXIT_INTERNAL}; run again with --debug for the stack trace, and please report it)`);
    return EXIT_INTERNAL;
  }
}
