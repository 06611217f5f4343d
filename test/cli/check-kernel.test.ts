/**
 * check-kernel over directories of trees built from the fixture tree (never
 * kernel source): the fixture's dma_direct_alloc is not baseline's, and
 * the entry points it does not define are the hand models themselves.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { tempDir } from '../temp-dir.ts';
import { capture } from './capture.ts';

const FIX = join(import.meta.dirname, '..', 'fixtures');
const SMALL = ['--platforms', 'cca', '--threads', '1', '--calls', '2', '--workers', '1', '--quiet'];

/** A directory holding the fixture tree under each of `names` (and the extractor's unsupported-construct file under `bad`). */
function trees(names: readonly string[], bad?: string): string {
  const dir = tempDir('check-kernel');
  const put = (name: string, file: string) => {
    mkdirSync(join(dir, name, 'kernel', 'dma'), { recursive: true });
    copyFileSync(file, join(dir, name, 'kernel', 'dma', 'direct.c'));
  };
  for (const n of names) put(n, join(FIX, 'tree', 'kernel', 'dma', 'direct.c'));
  if (bad) put(bad, join(FIX, 'extract', 'unsupported.c'));
  return dir;
}

async function checkKernel(args: string[]) {
  const io = capture();
  const code = await main(['check-kernel', ...args, ...SMALL], io);
  return { code, lines: io.stdout.join('\n').split('\n'), err: io.stderr.join('\n') };
}

describe('dmacheck check-kernel', () => {
  it('a directory of trees named after versions: one line each; equivalent where the runs reach only what the hand models supply', async () => {
    const dir = trees(['baseline', 'v2-p1', 'not-a-version']);
    const r = await checkKernel([dir, '--entry-points', 'dma_direct_map_phys,dma_direct_unmap_phys']);
    expect(r).toEqual({
      code: 0,
      lines: ['baseline', 'v2-p1'].map((v) => `${v}: ${join(dir, v)}: equivalent to the hand-written ${v} over 16 runs (1x2, calls-v1); ` +
        'dma_direct_free, dma_direct_alloc_pages, dma_direct_free_pages, dma_direct_mmap, dma_direct_map_phys, dma_direct_unmap_phys, ' +
        'dma_alloc_attrs, dma_free_attrs, dma_mmap_attrs, dma_alloc_pages, dma_free_pages, dma_mmap_pages not in the tree, taken from the hand model'),
      err: '',
    });
  });

  it('NAME=DIR where the tree differs: exit 1, the line and the shortest distinguishing scenario under it', async () => {
    const dir = trees(['baseline']);
    const r = await checkKernel([`baseline=${join(dir, 'baseline')}`, '--entry-points', 'dma_direct_alloc,dma_direct_free']);
    expect(r.code).toBe(1);
    expect(r.lines[0]).toMatch(new RegExp(`^baseline: ${join(dir, 'baseline')}: different from the hand-written baseline in \\d+ of 16 runs \\(1x2, calls-v1\\); .*; shortest scenario:$`));
    expect(r.lines[1]).toMatch(/^ {4}== cca /);
    expect(r.lines.slice(1).every((l) => l.startsWith('    '))).toBe(true);
    expect(r.lines.find((l) => l.includes('#   baseline'))).toMatch(/#   baseline +\| baseline\.tree$/);
  });

  it('one tree with --as; a tree that does not extract gets its line, the others are still compared, exit 2', async () => {
    const dir = trees(['baseline'], 'v2-p1');
    const one = await checkKernel([join(dir, 'baseline'), '--as', 'v2-p2', '--entry-points', 'dma_direct_map_phys']);
    expect(one.code).toBe(0);
    expect(one.lines[0]).toMatch(/^v2-p2: .*\/baseline: equivalent to the hand-written v2-p2 over 16 runs/);
    const r = await checkKernel([dir, '--entry-points', 'dma_direct_map_phys']);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatch(/^baseline: .*: equivalent/);
    expect(r.lines[1]!.startsWith(`v2-p1: ${join(dir, 'v2-p1')}: not compared: ${join(dir, 'v2-p1')}/kernel/dma/direct.c:5:2: unsupported construct 'switch statement'`)).toBe(true);
  });
});
