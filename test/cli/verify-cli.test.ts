import { DIRECT_SCOPE } from '../../models/versions.ts';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { tempDir } from '../temp-dir.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

describe('dmacheck verify: bad input', () => {
  const cases: [string[], RegExp][] = [
    [['--versions', 'v9'], /unknown version 'v9' \(valid: baseline, v2-p1, .*\)/],
    [['--platforms', 'riscv'], /unknown platform 'riscv' \(valid: plain-x86, .*s390-pv\)/],
    [['--properties', 'no-such'], /unknown property 'no-such' \(valid: no-double-decrypt, .*\)/],
    [['--threads', '0'], /bad --threads '0' \(valid: an integer from 1 to 3\)/],
    [['--calls', 'x'], /bad --calls 'x' \(valid: an integer from 1 to 8\)/],
    [['--device', 'pool=big'], /bad value 'big' for device knob pool \(valid: none, own, shared\)/],
    [['--device', 'colour=1'], /unknown device knob 'colour=1'/],
    [['--entry-points', 'dma_map_sg'], /unknown entry point 'dma_map_sg' \(valid: dma_direct_alloc, .*\)/],
    [['--workers', '-1'], /option '--workers' got a value starting with '-'/],
    [['--workers=-1'], /bad --workers '-1' \(valid: an integer from 1 to 64\)/],
    [['--frobnicate'], /unknown option '--frobnicate' for 'dmacheck verify'/],
  ];
  for (const [args, message] of cases) {
    it(`rejects ${args.join(' ')} with exit 2 and one line`, async () => {
      const io = capture();
      const code = await main(['verify', ...args, '--out', join(tmpdir(), 'never-written')], io);
      expect(code).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]!.split('\n')).toHaveLength(1);
      expect(io.stderr[0]).toMatch(message);
      expect(io.stdout).toEqual([]);
    });
  }

  it('rejects an unknown command with exit 2 naming the valid ones', async () => {
    const io = capture();
    expect(await main(['verfy'], io)).toBe(2);
    expect(io.stderr[0]).toMatch(/unknown command 'verfy' \(valid: verify, .*list/);
  });
});

describe('dmacheck verify: results', () => {
  it('exits 1 on a violation and writes results.json and summary.md', async () => {
    const dir = tempDir('verify');
    const io = capture();
    const code = await main(['verify', '--versions', 'baseline', '--platforms', 'cca', '--device', 'pool=own,coherent=1,gfp=blocking,nkm=0',
      '--properties', 'no-double-decrypt', '--threads', '1', '--calls', '2', '--workers', '1', '--out', dir, '--quiet',
      '--entry-points', DIRECT_SCOPE.join(',')], io);
    expect(code).toBe(1);
    const res = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(res.complete).toBe(true);
    expect(res.results).toHaveLength(1);
    expect(res.results[0].verdict).toBe('violated');
    expect(res.results[0].violations[0].trace.steps).toHaveLength(3);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('| baseline | **violated** 3E/0L |');
  });

  it('exits 0 when every selected property holds, and --json prints the results', async () => {
    const dir = tempDir('verify');
    const io = capture();
    const code = await main(['verify', '--versions', 'v2-p1', '--platforms', 'cca', '--device', 'pool=own', '--properties', 'no-double-decrypt',
      '--threads', '1', '--calls', '2', '--workers', '1', '--out', dir, '--json'], io);
    expect(code).toBe(0);
    const res = JSON.parse(io.stdout.join(''));
    expect(res.results[0]).toMatchObject({ version: 'v2-p1', property: 'no-double-decrypt', verdict: 'holds' });
  });
});
