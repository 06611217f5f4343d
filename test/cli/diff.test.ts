import { DIRECT_SCOPE } from '../../models/versions.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { VERSION_IDS } from '../../models/versions.ts';
import type { DiffResults } from '../../src/equivalence/diff.ts';

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
    const dir = mkdtempSync(join(tmpdir(), 'dmacheck-diff-'));
    expect(await main(['diff', 'v2-p3', 'v2-p4', ...small, '--out', dir], io)).toBe(0);
    expect(io.outText().split('\n')[0]).toBe(
      'v2-p3 and v2-p4: equivalent within the bound over 64 runs (1 thread(s), 2 call(s) per thread; observable: calls-v1)');
    const json = JSON.parse(readFileSync(join(dir, 'diff.json'), 'utf8')) as DiffResults;
    expect(json).toMatchObject({ format: 'dmacheck-diff', a: 'v2-p3', b: 'v2-p4', verdict: 'equivalent', groups: [] });
    expect(readFileSync(join(dir, 'diff.md'), 'utf8')).toContain('# dmacheck diff: v2-p3 vs v2-p4');
  });

  it('exits 1 with the differences side by side when they differ', async () => {
    const io = capture();
    const dir = mkdtempSync(join(tmpdir(), 'dmacheck-diff-'));
    expect(await main(['diff', 'baseline', 'v2-p1', ...small, '--device', 'pool=own,coherent=1,gfp=blocking,nkm=0', '--out', dir], io)).toBe(1);
    const out = io.outText();
    expect(out).toContain('== cca  coherent=1,pool=own,gfp=blocking,nkm=0: effective, 3 of 4 runs differ (3 effective, 0 latent)');
    expect(out).toContain('  >>  3  T0 set_memory_decrypted(pool0.slot0) ok');
    expect(out).toContain('| T0 dma addr pool0.slot0 unencrypted');
  });

  it('prints the JSON result with --json', async () => {
    const io = capture();
    const dir = mkdtempSync(join(tmpdir(), 'dmacheck-diff-'));
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
