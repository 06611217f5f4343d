import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { traceFileText } from '../../src/trace/trace-file.ts';
import { doubleDecrypt, edit, remap, results } from '../trace/fixtures.ts';
import { tempDir } from '../temp-dir.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

async function run(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const io = capture();
  const code = await main(['replay', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

let dir = '';
const file = (name: string) => join(dir, name);
let doubleText = '';

beforeAll(async () => {
  dir = tempDir('replay');
  const dd = (await doubleDecrypt()).trace;
  doubleText = traceFileText(dd);
  writeFileSync(file('double-decrypt.json'), doubleText);
  writeFileSync(file('remap.json'), traceFileText((await remap()).trace));
  writeFileSync(file('fails-decrypt.json'), JSON.stringify(edit(dd, (x) => { x['steps'][2].event = 'SET_DECRYPTED_FAILED'; delete x['actions']; })));
  writeFileSync(file('results.json'), JSON.stringify(await results('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', 'no-double-decrypt')));
  // Malformed trace files.
  writeFileSync(file('truncated.json'), doubleText.slice(0, Math.floor(doubleText.length / 2)));
  writeFileSync(file('unknown-version.json'), JSON.stringify(edit(dd, (x) => { x['run'].version = 'v3'; })));
  writeFileSync(file('impossible-step.json'), JSON.stringify(edit(dd, (x) => { x['steps'][1].event = 'SWIOTLB_ALLOC_FAILED'; delete x['steps'][1].page; delete x['actions']; })));
  writeFileSync(file('format-v2.json'), JSON.stringify(edit(dd, (x) => { x['formatVersion'] = 2; })));
  writeFileSync(file('format-v0.json'), JSON.stringify(edit(dd, (x) => { x['formatVersion'] = 0; })));
  writeFileSync(file('unknown-call.json'), JSON.stringify(edit(dd, (x) => { x['run'].programs[0][0] = 'dma_direct_alloc_coherent'; })));
});

describe('dmacheck replay', () => {
  it('reproduces the baseline double decrypt on its own version: exit 1', async () => {
    const { code, out, err } = await run(file('double-decrypt.json'));
    expect(code).toBe(1);
    expect(err).toEqual([]);
    expect(out).toBe('reproduced: on baseline, no-double-decrypt (effective) is violated at\nstep 3, as recorded.\n');
  });

  it('says fixed on v2-p1: exit 0', async () => {
    const { code, out } = await run(file('double-decrypt.json'), '--version', 'v2-p1');
    expect(code).toBe(0);
    expect(out).toBe([
      'fixed: on v2-p1, the 3 recorded steps run without violating any',
      'invariant, and no violation is reachable from where they end: the rest',
      'of the programs (CPU0: dma_direct_free) was run from there in every',
      'interleaving and with every environment outcome (4 states).',
      '',
      'How the path on v2-p1 differs from the trace:',
      '  - step 3: CPU0 dma_direct_alloc SET_DECRYPTED_OK dropped',
      '    (dma_direct_alloc does not call set_memory_decrypted() there)',
      '',
    ].join('\n'));
  });

  it('reproduces the remap counterexample on v2-p2 (exit 1) and says fixed on v2-p3 (exit 0)', async () => {
    expect((await run(file('remap.json'), '--version', 'v2-p2')).code).toBe(1);
    const fixed = await run(file('remap.json'), '--version', 'v2-p3');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toMatch(/^fixed: on v2-p3,/);
  });

  it('says diverged at step 3 when the trace fails a call v2-p1 does not make: exit 3, both sides shown', async () => {
    const { code, out } = await run(file('fails-decrypt.json'), '--version', 'v2-p1');
    expect(code).toBe(3);
    expect(out).toMatch(/^diverged at step 3: v2-p1 cannot take the step as recorded: the trace\nmakes set_memory_decrypted\(\) fail here/);
    expect(out).toContain('\nRecorded on baseline, step 3:\n  CPU0 in dma_direct_alloc:\n    kernel/dma/direct.c:284 @2c142b63 dma_direct_alloc():\n');
    expect(out).toContain('\nv2-p1 offers there:\n  CPU0:\n    calls dma_direct_free()\n');
    expect(out.split('\n').every((l) => l.length <= 72)).toBe(true);
  });

  it('prints a machine-readable verdict with --json', async () => {
    const { code, out } = await run(file('fails-decrypt.json'), '--version', 'v2-p1', '--json');
    expect(code).toBe(3);
    const v = JSON.parse(out);
    expect(v).toMatchObject({ verdict: 'diverged', step: 3, version: 'v2-p1', exitCode: 3, trace: { version: 'baseline', platform: 'cca', property: 'no-double-decrypt', steps: 3 } });
    expect(v.recorded.event).toBe('SET_DECRYPTED_FAILED');
    expect(JSON.parse((await run(file('double-decrypt.json'), '--json')).out)).toMatchObject({ verdict: 'reproduced', step: 3, exitCode: 1 });
    expect(JSON.parse((await run(file('double-decrypt.json'), '--json', '--version', 'v2-p4')).out)).toMatchObject({ verdict: 'fixed', exitCode: 0 });
  });
});

describe('dmacheck replay: malformed input gives exit 2 and one line naming the problem', () => {
  const cases: [string, string[], RegExp][] = [
    ['a truncated file', ['truncated.json'], /^dmacheck replay: .*truncated\.json: not valid JSON \(it ends early: truncated\?\): /],
    ['an unknown version in the trace', ['unknown-version.json'], /^dmacheck replay: .*unknown-version\.json: unknown version 'v3' \(valid: baseline, /],
    ['a step the model cannot take', ['impossible-step.json'],
      /^dmacheck replay: .*impossible-step\.json: step 3: the model of baseline cannot take CPU0 dma_direct_alloc SET_DECRYPTED_OK: CPU0 has finished its program here \(it offers: nothing\)$/],
    ['a newer format version', ['format-v2.json'], /^dmacheck replay: .*format-v2\.json: trace format version 2 is newer than the version this dmacheck reads \(1\)/],
    ['an older format version', ['format-v0.json'], /^dmacheck replay: .*format-v0\.json: trace format version 0 is older than the version this dmacheck reads \(1\)/],
    ['an unknown call', ['unknown-call.json'], /^dmacheck replay: .*unknown-call\.json: run\.programs\[0\]: unknown call 'dma_direct_alloc_coherent'/],
    ['an unknown --version', ['double-decrypt.json', '--version', 'v2-p9'], /^dmacheck replay: unknown version 'v2-p9' \(valid: baseline, v2-p1, v2-p2, v2-p3, v2-p4, v2-p3-without-p1.*\); if 'v2-p9' is a kernel tree's version, give --tree v2-p9=DIR$/],
    ['a results file', ['results.json'], /^dmacheck replay: .*results\.json is a results file, not a trace file; make one with: dmacheck trace .*results\.json --version V --property P --format json > TRACE\.json$/],
    ['a missing file', ['nowhere.json'], /^dmacheck replay: .*nowhere\.json: cannot read the file \(ENOENT\)$/],
    ['no file', [], /^dmacheck replay: missing the trace file or --scenario STRING/],
    ['a file and --scenario', ['double-decrypt.json', '--scenario', 'dmacheck1:x'], /^dmacheck replay: replay takes a trace file or --scenario, not both/],
  ];
  for (const [what, args, message] of cases)
    it(`refuses ${what}`, async () => {
      const [first, ...rest] = args;
      const { code, out, err } = await run(...(first ? [file(first), ...rest] : []));
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toHaveLength(1);
      expect(err[0]!.split('\n')).toHaveLength(1);
      expect(err[0]).toMatch(message);
    });
});

describe('dmacheck replay --scenario', () => {
  const STRING = 'dmacheck1:baseline/cca/coherent=1,pool=own,gfp=blocking,nkm=0/alloc,free/no-double-decrypt/effective/0,0SWIOTLB_ALLOC_OK@pool0.slot0,0SET_DECRYPTED_OK';

  it('replays the string the mail format prints, wrapped, indented and quoted by a reply, like the trace file', async () => {
    const mailed = `\n    ${STRING.slice(0, 40)}\n>     ${STRING.slice(40, 100)}\n> >   ${STRING.slice(100)}`;
    const { code, out } = await run('--scenario', mailed);
    expect(code).toBe(1);
    expect(out).toBe((await run(file('double-decrypt.json'))).out);
    const fixed = await run('--scenario', STRING, '--version', 'v2-p1', '--json');
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.out)).toMatchObject({ file: '--scenario', verdict: 'fixed', exitCode: 0 });
  });

  it('exits 1 with violated later when the recorded steps are clean but the rest of the programs is not', async () => {
    const { code, out } = await run('--scenario',
      'dmacheck1:v2-p1/pkvm/coherent=0,pool=own,gfp=atomic,nkm=1/alloc_pages,free_pages,alloc/no-decrypted-mapped-encrypted/latent/0,0SWIOTLB_ALLOC_OK@pool0.slot0', '--version', 'v2-p3');
    expect(code).toBe(1);
    expect(out).toMatch(/^violated later: on v2-p3, /);
  });

  const bad: [string, string, RegExp][] = [
    ['not a scenario string', 'hello', /^dmacheck replay: --scenario: 'hello' is not a scenario string \(it starts with dmacheck1:\)$/],
    ['another format version', 'dmacheck2:baseline', /^dmacheck replay: --scenario: scenario format 'dmacheck2' is not one this dmacheck reads \(dmacheck1\)$/],
    ['a cut string', STRING.slice(0, 60), /^dmacheck replay: --scenario: 3 fields, not 7 \(version\/platform\/device\/programs\/property\/severity\/steps\); was the string cut\?$/],
    ['an unknown version', STRING.replace('baseline', 'v9'), /^dmacheck replay: --scenario: unknown version 'v9' \(valid: baseline, /],
    ['a bad device knob', STRING.replace('nkm=0', 'nkm'), /^dmacheck replay: --scenario: bad device knob 'nkm'/],
    ['a bad step', STRING.replace('0SET_DECRYPTED_OK', 'x'), /^dmacheck replay: --scenario: step 3 'x' is not CPU\[EVENT\]\[@page\]/],
    ['a CPU without a program', STRING.replace('0SET_DECRYPTED_OK', '1SET_DECRYPTED_OK'), /^dmacheck replay: --scenario: step 3 '1SET_DECRYPTED_OK': CPU1 has no program \(valid: 0 to 0\)$/],
    ['an unknown page', STRING.replace('slot0', 'slot7'), /^dmacheck replay: --scenario: step 2: unknown page 'pool0\.slot7' \(valid: pool0\.slot0\)$/],
    ['a step the model cannot take', STRING.replace('0SET_DECRYPTED_OK', '0SET_ENCRYPTED_OK'), /^dmacheck replay: --scenario: step 3: the model of baseline cannot take CPU0 dma_direct_alloc SET_ENCRYPTED_OK/],
  ];
  for (const [what, text, message] of bad)
    it(`refuses ${what}: exit 2, one line`, async () => {
      const { code, out, err } = await run('--scenario', text);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toHaveLength(1);
      expect(err[0]!.split('\n')).toHaveLength(1);
      expect(err[0]).toMatch(message);
    });
});

describe('help', () => {
  it('documents the exit codes', async () => {
    const io = capture();
    expect(await main(['replay', '--help'], io)).toBe(0);
    expect(io.stdout.join('\n').replace(/\s+/g, ' ')).toMatch(/^dmacheck replay TRACE\.json \[options\] replay a trace file on a kernel version; exit 0 fixed, 1 still violated \(on the recorded steps or later\), 3 diverged or not applicable /);
  });
});
