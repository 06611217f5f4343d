import { describe, expect, it, beforeAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { parseScenario } from '../../src/trace/scenario-string.ts';
import { traceFileText } from '../../src/trace/trace-file.ts';
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
    expect(out).toContain('\nSteps (one column per CPU; a shortest interleaving)\n');
    // The replay command carries the scenario; no local path the reader does not have.
    expect(out).toContain("\nReplay (the string may be wrapped or quoted; no file needed):\n  dmacheck replay --scenario '\n    dmacheck1:baseline/cca/coherent=1,pool=own,gfp=blocking,nkm=0/\n");
    expect(out).not.toContain(resultsPath);
    expect(err).toEqual([expect.stringMatching(/^dmacheck trace: 4 counterexamples match; showing the shortest \(number 1: cca coherent=1,pool=own,gfp=blocking,nkm=0, 3 steps\); choose another with --platform or --index N$/)]);
    expect(out.split('\n').every((l) => l.length <= 72 && /^[\x20-\x7e]*$/.test(l))).toBe(true);
  });

  it('picks the N-th match with --index', async () => {
    const { code, out, err } = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '3']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toContain('device     coherent=0 pool=own gfp=blocking nkm=0');
    expect(out).toContain('Configuration: baseline on cca, device coherent=0 pool=own gfp=blocking\n    nkm=0; CPU0 runs dma_direct_alloc_pages, dma_direct_free_pages\n');
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
    const steps = (s: string) => s.slice(s.indexOf('\nSteps'));
    expect(steps(fromFile.out).replace(/; a shortest interleaving/, '')).toBe(steps(fromResults.out).replace(/; a shortest interleaving/, ''));
    const opening = (s: string) => s.slice(0, s.indexOf('\nDetails\n'));
    expect(opening(fromFile.out)).toBe(opening(fromResults.out));
    expect((await run(['trace', file, '--format', 'json'])).out).toBe(json.out);
  });

  it('renders Markdown with --format md', async () => {
    const { code, out } = await run(['trace', resultsPath, '--version', 'v2-p3-without-p1', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1', '--format', 'md']);
    expect(code).toBe(0);
    expect(out).toMatch(/^## dmacheck: no-double-decrypt \(effective\) in dma\\_direct\\_alloc\(\) on cca, kernel v2-p3-without-p1\n/);
    expect(out).toContain('| # | CPU0 |\n|--:|---|\n| 1 | **calls dma\\_direct\\_alloc()**<br>`kernel/dma/direct.c:214 @2c142b63 dma_direct_alloc():`');
    expect(out).toContain('```\n     CPU0\n     ----\n  1  dma_direct_alloc()\n');
    expect(out).toContain('```sh\ndmacheck replay --scenario dmacheck1:v2-p3-without-p1/cca/coherent=1,pool=own,gfp=blocking,nkm=0/alloc,free/no-double-decrypt/effective/0,0SWIOTLB_ALLOC_OK@pool0.slot0,0SET_DECRYPTED_OK\n```');
  });
});

describe('dmacheck trace --short', () => {
  it('prints only the scenario, the invariant, the configuration line and the replay command', async () => {
    const { code, out } = await run(['trace', resultsPath, '--version', 'baseline', '--property', 'no-double-decrypt', '--platform', 'cca', '--index', '1', '--short']);
    expect(code).toBe(0);
    expect(out).toBe([
      'dmacheck: no-double-decrypt (effective) in dma_direct_alloc() on cca,',
      '    kernel baseline',
      '',
      '     CPU0',
      '     ----',
      '  1  dma_direct_alloc()',
      '  2    swiotlb_alloc() pool0.slot0 [DEC]',
      '  3    set_memory_decrypted() pool0.slot0 [DEC->DEC] ***',
      '',
      'Step 3 violates no-double-decrypt (effective): set_memory_decrypted() on',
      'pool0.slot0, which is already decrypted.',
      '',
      'Configuration: baseline on cca, device coherent=1 pool=own gfp=blocking',
      '    nkm=0; CPU0 runs dma_direct_alloc, dma_direct_free',
      '',
      'Replay (the string may be wrapped or quoted; no file needed):',
      "  dmacheck replay --scenario '",
      '    dmacheck1:baseline/cca/coherent=1,pool=own,gfp=blocking,nkm=0/',
      '    alloc,free/no-double-decrypt/effective/0,',
      "    0SWIOTLB_ALLOC_OK@pool0.slot0,0SET_DECRYPTED_OK'",
      '',
    ].join('\n'));
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
    expect(plain.out).toMatch(/\n {2}3 {26}kernel\/dma\/direct\.c:129 @2c142b63\n/);
    const compact = await run(['trace', file, '--compact']);
    expect(compact.code).toBe(0);
    // in the scenario block and in the table
    expect(compact.out.match(/\n2-3 {26}\.\.\. \(CPU1 runs unrelated steps\)\n/g)).toHaveLength(2);
    const table = compact.out.slice(compact.out.indexOf('\nSteps'));
    expect(table.split('\n').filter((l) => /^\s*\d+(-\d+)?  /.test(l)).map((l) => l.trim().split(/\s+/)[0])).toEqual(['1', '2-3', '4', '5']);
    expect(table).toContain('... (CPU1 runs unrelated steps)');
    expect(compact.out.split('\n').every((l) => l.length <= 72)).toBe(true);
    const md = await run(['trace', file, '--compact', '--format', 'md']);
    expect(md.out).toContain('| 2-3 |  | ... (CPU1 runs unrelated steps) |');
  });

  it('folds a call of a one-CPU trace that touches none of the violating pages', async () => {
    // Hand-made: CPU0 first bounces a streaming mapping through swiotlb0, then its remap gets a decrypted prot for page0.
    const file = join(dir, 'one-cpu.json');
    writeFileSync(file, traceFileText(parseScenario(
      'dmacheck1:v2-p2/cca/coherent=0,pool=none,gfp=blocking,nkm=0/map_phys,alloc/no-encrypted-mapped-decrypted/effective/0,0BOUNCE_MAPPED@swiotlb0,0,0BUDDY_PAGE@page0,0REMAP_OK')));
    expect((await run(['trace', file])).out).not.toContain('unrelated');
    const { code, out } = await run(['trace', file, '--compact', '--short']);
    expect(code).toBe(0);
    expect(out).toContain([
      '     CPU0',
      '     ----',
      '1-2  ... (CPU0 runs unrelated steps)',
      '  3  dma_direct_alloc()',
      '  4    alloc_pages_node() page0 [ENC]',
      '  5    dma_common_contiguous_remap() page0 [ENC] ***',
    ].join('\n'));
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
    [() => ['trace', resultsPath, '--format', 'md', '--short'], /^dmacheck trace: --short applies to the mail format, not --format md$/],
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
