/**
 * dmacheck's command line: a table of commands, each with its option table.
 * Exit codes: 0 success / holds, 1 violated (or different, reproduced),
 * 2 bad input; commands document others.
 */
import { UsageError } from '../check/selection.ts';
import { commandHelp, EXIT_USAGE, parseCommandArgs, type Command, type Io } from './command.ts';
import { COMMANDS } from './commands/index.ts';

export function usage(): string {
  const lines = ['usage: dmacheck <command> [options]', '', 'Exhaustive model checker for the memory-encryption logic of Linux dma-direct.', '', 'Commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(10)} ${c.summary}`);
  lines.push('', "Run 'dmacheck <command> --help' for a command's options.");
  return lines.join('\n');
}

const stdio: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  isTTY: Boolean(process.stderr.isTTY),
};

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const cmd: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`dmacheck: unknown command '${name}' (valid: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return EXIT_USAGE;
  }
  try {
    const { values, positionals } = parseCommandArgs(cmd, rest);
    if (values['help']) {
      io.out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(values, positionals, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`dmacheck ${cmd.name}: ${e.message}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
