/**
 * --tree on the commands that take versions, over the fixture tree
 * (test/fixtures/tree: one dma_direct_alloc written for these tests; the
 * other entry points run the hand-written baseline machines).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION_IDS } from '../../models/versions.ts';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../temp-dir.ts';
import { capture } from './capture.ts';

const TREE = join(import.meta.dirname, '..', 'fixtures', 'tree');
const SMALL = ['--platforms', 'cca', '--entry-points', 'dma_direct_alloc,dma_direct_free', '--threads', '2', '--calls', '2', '--quiet'];

async function run(args: string[]) {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

/** results.json without what differs between identical runs */
function resultsOf(dir: string): Record<string, unknown> {
  const r = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
  delete r['timing'];
  return r;
}

describe('--tree: a kernel tree as a version', () => {
  it('verify --tree m=DIR --versions m,baseline: the tree verified beside baseline, the same result for 1 and 2 workers, recorded with its path and sha256', async () => {
    const outs = [tempDir('tree-w1'), tempDir('tree-w2')];
    for (const [i, out] of outs.entries()) {
      const r = await run(['verify', '--tree', `m=${TREE}`, '--versions', 'm,baseline', ...SMALL, '--workers', String(i + 1), '--out', out]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^dmacheck: tree m: kernel\/dma\/direct\.c defines no dma_direct_free, .*ABSTRACTION: they run the hand-written baseline machines/);
    }
    const [a, b] = outs.map(resultsOf);
    expect(a).toEqual(b);
    const res = a as { selection: { versions: string[] }; totals: { runs: number; states: number }; results: { version: string; property: string; violatingRuns: { effective: number } }[]; kernelVersions: Record<string, { source: Record<string, unknown> }> };
    // the selection keeps the matrix order: hand-written versions first
    expect(res.selection.versions).toEqual(['baseline', 'm']);
    expect(res.totals).toMatchObject({ runs: 48, states: 1468 });
    const violated = (v: string) => res.results.filter((x) => x.version === v && x.violatingRuns.effective > 0).map((x) => `${x.property}:${x.violatingRuns.effective}`);
    expect(violated('m')).toEqual(['no-double-decrypt:4', 'no-decrypted-mapped-encrypted:8', 'no-decrypted-page-to-allocator:8', 'no-blocking-in-atomic:4']);
    expect(violated('baseline')).toEqual(['no-double-decrypt:8', 'no-encrypted-mapped-decrypted:2', 'pool-slots-stay-decrypted:8', 'no-blocking-in-atomic:8']);
    expect(res.kernelVersions['m']!.source).toMatchObject({ kind: 'tree', path: resolve(TREE), env: 'classic', completedFrom: 'baseline' });
    expect(res.kernelVersions['m']!.source['sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(VERSION_IDS).not.toContain('m');
  });

  it('trace and replay: the replay command of a tree version carries --tree, and runs as printed', async () => {
    const out = tempDir('tree-trace');
    expect((await run(['verify', '--tree', `m=${TREE}`, '--versions', 'm', ...SMALL, '--workers', '1', '--out', out])).code).toBe(1);
    const t = await run(['trace', join(out, 'results.json'), '--tree', `m=${TREE}`, '--version', 'm', '--property', 'no-decrypted-page-to-allocator', '--short']);
    expect(t.code).toBe(0);
    const lines = t.out.split('\n');
    const at = lines.indexOf('  dmacheck replay \\');
    expect(lines.slice(at, at + 3)).toEqual(['  dmacheck replay \\', `    --tree m=${resolve(TREE)} \\`, "    --scenario '"]);
    const scenario = t.out.slice(t.out.indexOf("--scenario '") + "--scenario '".length, t.out.lastIndexOf("'"));
    expect(scenario).toMatch(/^\s*dmacheck1:m\/cca\//);
    const r = await run(['replay', '--tree', `m=${TREE}`, '--scenario', scenario]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^reproduced: on m, no-decrypted-page-to-allocator \(effective\) is violated/);
    // on baseline, which frees nothing it could not re-encrypt, the scenario is fixed
    const fixed = await run(['replay', '--tree', `m=${TREE}`, '--version', 'baseline', '--scenario', scenario]);
    expect([fixed.code, fixed.out.split(':')[0]]).toEqual([0, 'fixed']);
  });

  it('diff A --tree NAME=DIR compares A with the tree; a tree with itself is equivalent', async () => {
    const out = tempDir('tree-diff');
    const d = await run(['diff', 'baseline', '--tree', `m=${TREE}`, ...SMALL, '--workers', '2', '--out', out]);
    expect(d.code).toBe(1);
    expect(d.out).toMatch(/^baseline and m: different in \d+ of 24 runs/);
    const same = await run(['diff', 'a', 'b', '--tree', `a=${TREE}`, '--tree', `b=${TREE}`, ...SMALL, '--workers', '2', '--out', out]);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^a and b: equivalent within the bound over 24 runs/);
  });

  it('nightly: the config names trees (relative to the config file) and verifies them', async () => {
    const dir = tempDir('tree-nightly');
    const config = join(dir, 'night.json');
    writeFileSync(config, JSON.stringify({ trees: { m: relative(dir, TREE) }, versions: ['m'], platforms: ['cca'], entryPoints: ['dma_direct_alloc', 'dma_direct_free'], bound: { threads: 1, calls: 2 }, workers: 1 }));
    const r = await run(['nightly', '--config', config, '--out', join(dir, 'night'), '--quiet']);
    expect(r.code).toBe(1);
    const res = resultsOf(join(dir, 'night')) as { selection: { versions: string[] }; kernelVersions: Record<string, { source: Record<string, unknown> }> };
    expect(res.selection.versions).toEqual(['m']);
    expect(res.kernelVersions['m']!.source).toMatchObject({ kind: 'tree', path: resolve(TREE) });
  });
});
