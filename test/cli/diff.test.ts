import { DIRECT_SCOPE } from '../../models/versions.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import type { DiffResults } from '../../src/equivalence/diff.ts';
import { tempDir } from '../temp-dir.ts';

interface Captured extends Io { readonly outText: () => string; readonly errText: () => string }

function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false, outText: () => out.join('\n'), errText: () => err.join('\n') };
}

const small = ['--platforms', 'cca', '--threads', '1', '--calls', '2', '--workers', '1', '--entry-points', DIRECT_SCOPE.join(',')];

describe('dmacheck diff', () => {
  it('exits 0 and says so when the versions are equivalent within the bound', async () => {
    const io = capture();
    const dir = tempDir('diff');
    expect(await main(['diff', 'v2-p3', 'v2-p4', ...small, '--out', dir], io)).toBe(0);
    expect(io.outText().split('\n').slice(0, 2)).toEqual([
      'v2-p3 and v2-p4: equivalent within the bound over 64 runs (1 thread(s), 2',
      '  call(s) per thread; observable: calls-v1)',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'diff.json'), 'utf8')) as DiffResults;
    expect(json).toMatchObject({ format: 'dmacheck-diff', a: 'v2-p3', b: 'v2-p4', verdict: 'equivalent', groups: [] });
    expect(readFileSync(join(dir, 'diff.md'), 'utf8')).toContain('# dmacheck diff: v2-p3 vs v2-p4');
  });

  it('exits 1 with the differences side by side when they differ', async () => {
    const io = capture();
    const dir = tempDir('diff');
    expect(await main(['diff', 'baseline', 'v2-p1', ...small, '--device', 'pool=own,coherent=1,gfp=blocking,nkm=0', '--out', dir], io)).toBe(1);
    const out = io.outText();
    expect(out).toContain('== cca coherent=1,pool=own,gfp=blocking,nkm=0: effective, 3 of 4 runs differ (3\n   effective, 0 latent)');
    // wrapped inside each column, the | aligned
    expect(out).toContain('\n  >>  3  T0                                 | T0 dma addr pool0.slot0\n         set_memory_decrypted(pool0.slot0)  |   unencrypted\n         ok                                 |\n');
    expect(out.split('\n').filter((l) => l.length > 80 && !l.includes(dir))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'diff.json'), 'utf8')).folds).toEqual([
      { platform: 'cca', severity: 'effective', groups: [0], devices: ['coherent=1,pool=own,gfp=blocking,nkm=0'] },
    ]);
  });

  it('prints the JSON result with --json', async () => {
    const io = capture();
    const dir = tempDir('diff');
    expect(await main(['diff', 'baseline', 'baseline', ...small, '--json', '--out', dir], io)).toBe(0);
    expect((JSON.parse(io.outText()) as DiffResults).totals.equivalent).toBe(64);
  });

  it('exits 2 with one line naming an unknown version and the valid ones', async () => {
    const io = capture();
    expect(await main(['diff', 'baseline', 'v2-p9', ...small], io)).toBe(2);
    expect(io.errText()).toBe(`dmacheck diff: unknown version 'v2-p9' (valid: ${VERSION_IDS.join(', ')})`);
  });

  it('exits 2 on a wrong number of versions, an unknown observable or a bad bound', async () => {
    for (const argv of [['diff', 'baseline'], ['diff', 'baseline', 'v2-p1', '--observable', 'bytes'], ['diff', 'baseline', 'v2-p1', '--calls', '9']]) {
      const io = capture();
      expect(await main(argv, io)).toBe(2);
      expect(io.errText().split('\n')).toHaveLength(1);
      expect(io.errText()).toMatch(/^dmacheck diff: .*\(valid: /);
    }
  });
});
