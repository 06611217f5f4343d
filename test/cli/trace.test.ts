import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { results } from '../trace/fixtures.ts';
import { tempDir } from '../temp-dir.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

let dir = '';
let resultsPath = '';
beforeAll(async () => {
  dir = tempDir('trace');
  resultsPath = join(dir, 'results.json');
  // baseline and v2-p3-without-p1 double-decrypt on cca: several device configurations, two versions.
  const r = await results('baseline,v2-p1,v2-p3-without-p1', 'cca,tdx', 'pool=own,gfp=blocking', 'no-double-decrypt,pool-slots-stay-decrypted');
  writeFileSync(resultsPath, JSON.stringify(r));
});

describe('dmacheck trace from a results file', () => {
  it('renders the shortest matching counterexample in mail format, and says how many matched', async () => {
    const { code, out, err } = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt']);
    expect(code).toBe(0);
    expect(out).toMatch(/^dmacheck: no-double-decrypt \(effective\) in dma_direct_alloc\(\) on cca,\n {4}kernel baseline\n/);
    expect(out).toContain('\nViolated invariant\n');
    expect(out.replace(/ \\\n\s+/g, ' ')).toContain(`--platform cca --index 1 --format json`);
    expect(err).toEqual([expect.stringMatching(/^dmacheck trace: 4 counterexamples match; showing the shortest \(number 1: cca coherent=1,pool=own,gfp=blocking,nkm=0, 3 steps\); choose another with --platform or --index N$/)]);
    expect(out.split('\n').every((l) => l.length <= 72 && /^[\x20-\x7e]*$/.test(l))).toBe(true);
  });

  it('picks the N-th match with --index, and prints the command that makes its trace file', async () => {
    const { code, out, err } = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '3']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toContain('device     coherent=0 pool=own gfp=blocking nkm=0');
    expect(out.replace(/ \\\n\s+/g, ' ')).toContain(`dmacheck trace ${resultsPath} --version baseline --property no-double-decrypt --platform cca --index 3 --format json > baseline-no-double-decrypt-cca-3.json`);
    expect(out).toContain('dmacheck replay baseline-no-double-decrypt-cca-3.json');
  });

  it('writes a replayable trace file with --format json, which renders the same steps', async () => {
    const json = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1', '--format', 'json']);
    expect(json.code).toBe(0);
    const t = JSON.parse(json.out);
    expect(t).toMatchObject({ format: 'dmacheck-trace', formatVersion: 1, property: 'no-double-decrypt', severity: 'effective', run: { version: 'baseline', platform: 'cca' } });
    const file = join(dir, 'dd.json');
    writeFileSync(file, json.out);
    const fromResults = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1']);
    const fromFile = await run(['trace', file]);
    expect(fromFile.code).toBe(0);
    const steps = (s: string) => s.slice(s.indexOf('\nSteps'), s.indexOf('\nReplay\n'));
    expect(steps(fromFile.out).replace(/; a shortest interleaving/, '')).toBe(steps(fromResults.out).replace(/; a shortest interleaving/, ''));
    expect(fromFile.out.replace(/ \\\n\s+/g, ' ')).toContain(`\nReplay\n  dmacheck replay ${file}\n`);
    expect((await run(['trace', file, '--format', 'json'])).out).toBe(json.out);
  });

  it('renders Markdown with --format md', async () => {
    const { code, out } = await run(['trace', resultsPath, '--version', 'v2-p3-without-p1', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1', '--format', 'md']);
    expect(code).toBe(0);
    expect(out).toMatch(/^## dmacheck: no-double-decrypt \(effective\) in dma\\_direct\\_alloc\(\) on cca, kernel v2-p3-without-p1\n/);
    expect(out).toContain('| # | CPU0 |\n|--:|---|\n| 1 | **calls dma\\_direct\\_alloc()**<br>`kernel/dma/direct.c:214 @2c142b63`');
    expect(out).toContain('```sh\ndmacheck trace ');
  });
});

describe('dmacheck trace --compact', () => {
  it("folds another CPU's call on an unrelated page into one line", async () => {
    // Hand-made: CPU1 allocates from its own pool while CPU0 double-decrypts its slot.
    const base = JSON.parse((await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1', '--format', 'json'])).out);
    const [call, got, dec] = base.steps;
    const two = {
      ...base, actions: undefined,
      run: { ...base.run, programs: [base.run.programs[0], base.run.programs[0]] },
      steps: [call, { ...call, thread: 1 }, { ...got, thread: 1, page: 'pool1.slot0' }, got, dec].map((s, i) => ({ ...s, step: i + 1 })),
    };
    const file = join(dir, 'two-cpus.json');
    writeFileSync(file, JSON.stringify(two));
    const plain = await run(['trace', file]);
    expect(plain.code).toBe(0);
    expect(plain.out).not.toContain('unrelated');
    expect(plain.out).toMatch(/\n {2}3 {35}\| kernel\/dma\/direct\.c:129( @2c142b63)?\n/);
    const compact = await run(['trace', file, '--compact']);
    expect(compact.code).toBe(0);
    expect(compact.out).toMatch(/\n2-3 {37}\.\.\. \(CPU1 runs unrelated steps\)\n/);
    const table = compact.out.slice(compact.out.indexOf('\nSteps'), compact.out.indexOf('\nViolated'));
    expect(table.split('\n').filter((l) => /^\s*\d+(-\d+)?  /.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2-3', '4', '5']);
    expect(table).toContain('... (CPU1 runs unrelated steps)');
    expect(compact.out.split('\n').every((l) => l.length <= 72)).toBe(true);
    const md = await run(['trace', file, '--compact', '--format', 'md']);
    expect(md.out).toContain('| 2-3 |  | ... (CPU1 runs unrelated steps) |');
  });
});

describe('dmacheck trace: bad input', () => {
  const cases: [() => string[], RegExp][] = [
    [() => ['trace'], /^dmacheck trace: missing the results or trace file/],
    [() => ['trace', resultsPath, 'extra.json'], /^dmacheck trace: unexpected argument 'extra\.json'/],
    [() => ['trace', join(dir, 'nope.json')], /^dmacheck trace: .*nope\.json: cannot read the file \(ENOENT\)$/],
    [() => ['trace', resultsPath], /^dmacheck trace: .*results\.json has counterexamples for several versions: choose one with --version \(one of: baseline, v2-p3-without-p1\)$/],
    [() => ['trace', resultsPath, '--version', 'baseline'], /has counterexamples for several properties: choose one with --property \(one of: no-double-decrypt, pool-slots-stay-decrypted\)$/],
    [() => ['trace', resultsPath, '--version', 'v9', '--property', 'no-double-decrypt'], /^dmacheck trace: unknown version 'v9' \(valid: baseline, v2-p1, /],
    [() => ['trace', resultsPath, '--version', 'v2-p1', '--property', 'no-double-decrypt'], /results\.json has no counterexample for version v2-p1 \(it has some for: baseline, v2-p3-without-p1\)$/],
    [() => ['trace', resultsPath, '--version', 'baseline', '--property', 'no-such'], /^dmacheck trace: unknown property 'no-such' \(valid: no-double-decrypt, /],
    [() => ['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'tdx'], /has no counterexample for platform tdx \(it has some for: cca\)$/],
    [() => ['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--index', '9'], /^dmacheck trace: bad --index '9' \(valid: an integer from 1 to 4, the counterexamples that match\)$/],
    [() => ['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--index', 'x'], /^dmacheck trace: bad --index 'x'/],
    [() => ['trace', resultsPath, '--format', 'html'], /^dmacheck trace: unknown --format 'html' \(valid: mail, md, json\)$/],
    [() => ['trace', resultsPath, '--format', 'json', '--compact'], /^dmacheck trace: --compact applies to the mail and md formats/],
    [() => ['trace', join(dir, 'dd.json'), '--version', 'v2-p1'], /^dmacheck trace: --version selects a counterexample in a results file; .*dd\.json is a trace file \(to run it on another version: dmacheck replay .*dd\.json --version V\)$/],
    [() => ['trace', resultsPath, '--colour'], /^dmacheck trace: unknown option '--colour' for 'dmacheck trace'/],
  ];
  for (const [args, message] of cases)
    it(`rejects bad input with exit 2 and one line: ${message.source.slice(0, 60)}`, async () => {
      const { code, out, err } = await run(args());
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toHaveLength(1);
      expect(err[0]!.split('\n')).toHaveLength(1);
      expect(err[0]).toMatch(message);
    });
});
