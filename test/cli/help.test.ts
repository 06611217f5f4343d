import { describe, expect, it } from 'vitest';
import { EXIT_CODES_HELP, EXIT_DIVERGED, EXIT_INCOMPLETE, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, EXIT_VIOLATED, HELP_WIDTH, wrap } from '../../src/cli/command.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { main } from '../../src/cli/main.ts';
import { capture } from './capture.ts';

async function help(args: string[]): Promise<string> {
  const io = capture();
  expect(await main(args, io)).toBe(EXIT_OK);
  expect(io.stderr).toEqual([]);
  return io.stdout.join('\n');
}

const flat = (s: string) => s.replace(/\s+/g, ' ');

describe('help', () => {
  it('names the agreed exit codes as constants', () => {
    expect([EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_DIVERGED, EXIT_INCOMPLETE, EXIT_INTERNAL]).toEqual([0, 1, 2, 3, 4, 70]);
  });

  for (const args of [['--help'], ...COMMANDS.map((c) => [c.name, '--help'])]) {
    it(`${args.join(' ')}: fits ${HELP_WIDTH} columns, lists the exit codes and says where valid ids come from`, async () => {
      const text = await help(args);
      expect(text.split('\n').filter((l) => l.length > HELP_WIDTH)).toEqual([]);
      expect(flat(text)).toContain(EXIT_CODES_HELP);
      for (const code of ['0 success', '1 violated', '2 bad input', '3 replay diverged', '4 incomplete', '70 internal error', '130/143'])
        expect(flat(text)).toContain(code);
      expect(flat(text)).toContain("'dmacheck list'");
      expect(text).toContain('--debug');
      expect(text).not.toMatch(/VALUE/);
    });
  }

  it('shows what each string option takes', async () => {
    const text = await help(['verify', '--help']);
    for (const flag of ['--versions IDS', '--platforms IDS', '--properties IDS', '--threads N', '--calls N', '--workers N', '--out DIR',
      '--device KNOBS', '--entry-points NAMES', '--max-memory SIZE', '--shard I/N', '--resume DIR'])
      expect(text).toMatch(new RegExp(`^  ${flag.replace('/', '\\/')} +\\S`, 'm'));
    expect(text).toMatch(/^ {2}--json {2,}print the results JSON/m);
    for (const c of await Promise.all(COMMANDS.map((e) => e.load()))) for (const o of c.options) if (o.type === 'string') expect(o.value, `${c.name} --${o.name}`).toMatch(/^[A-Z/=,.]+$/);
  });

  it('wraps a long description under its column, word by word', () => {
    const lines = wrap('  --flag X', 'one two three four five six seven eight nine ten', 12, 30);
    expect(lines).toEqual(['  --flag X  one two three four', '            five six seven', '            eight nine ten']);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
  });
});
