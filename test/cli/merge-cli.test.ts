import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Io } from '../../src/cli/command.ts';
import { tempDir } from '../temp-dir.ts';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY: false, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

const base = ['--versions', 'baseline,v2-p1', '--platforms', 'cca', '--threads', '1', '--calls', '2', '--workers', '1', '--quiet'];

describe('dmacheck verify --shard and dmacheck merge', () => {
  it('merges two shard directories into the unsharded result', async () => {
    const root = tempDir('shard');
    expect(await main(['verify', ...base, '--out', join(root, 'all')], capture())).toBe(1);
    expect(await main(['verify', ...base, '--shard', '1/2', '--out', join(root, 's1')], capture())).toBe(1);
    expect(await main(['verify', ...base, '--shard', '2/2', '--out', join(root, 's2')], capture())).toBe(1);
    const io = capture();
    expect(await main(['merge', join(root, 's1'), join(root, 's2', 'results.json'), '--out', join(root, 'merged')], io)).toBe(1);
    const strip = (p: string) => {
      const { timing: _t, ...r } = JSON.parse(readFileSync(join(root, p, 'results.json'), 'utf8'));
      return JSON.stringify(r);
    };
    expect(strip('merged')).toBe(strip('all'));
  });

  it('rejects bad shards and malformed results with exit 2 and one line', async () => {
    const root = tempDir('shard');
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"tool": "dmacheck", "schemaVer');
    const cases: [string[], RegExp][] = [
      [['verify', ...base, '--shard', '3/2'], /bad --shard '3\/2' \(valid: i\/n with 1 <= i <= n, e.g. 2\/3\)/],
      [['verify', ...base, '--max-memory', 'lots'], /bad --max-memory 'lots'/],
      [['merge', bad], /bad\.json: not valid JSON/],
      [['merge', join(root, 'nope.json')], /nope\.json: no such file/],
      [['merge'], /merge needs the results\.json files/],
    ];
    for (const [args, msg] of cases) {
      const io = capture();
      expect(await main(args, io)).toBe(2);
      expect(io.stderr).toHaveLength(1);
      expect(io.stderr[0]).toMatch(msg);
    }
  });

  it('stops a run that would exceed --max-memory and marks the result incomplete', async () => {
    const root = tempDir('mem');
    const io = capture();
    const code = await main(['verify', '--versions', 'baseline', '--platforms', 'cca', '--device', 'coherent=0,pool=none,gfp=blocking,nkm=0',
      '--threads', '3', '--calls', '3', '--workers', '1', '--max-memory', '128K', '--no-por', '--no-symmetry', '--out', root], io);
    // exit 1: the cut runs that did finish already violate properties
    expect(code).toBe(1);
    const res = JSON.parse(readFileSync(join(root, 'results.json'), 'utf8'));
    expect(res.complete).toBe(false);
    expect(res.incompleteReason).toMatch(/lower --calls or --threads, or raise --max-memory/);
    expect(readFileSync(join(root, 'summary.md'), 'utf8')).toMatch(/INCOMPLETE/);
    expect(io.stdout.join('\n')).toMatch(/INCOMPLETE/);
  });
});
