import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTreeWithHand, comparisonText } from '../../src/extract/compare-tree.ts';
import { UsageError } from '../../src/check/selection.ts';
import { tempDir } from '../temp-dir.ts';

const FIX = 'test/fixtures/extract';
const STREAMING = ['dma_direct_map_phys', 'dma_direct_unmap_phys'];

/** A kernel tree whose kernel/dma/direct.c is `text` (our own C, never kernel source). */
function tree(text: string): string {
  const dir = tempDir('compare');
  mkdirSync(join(dir, 'kernel/dma'), { recursive: true });
  writeFileSync(join(dir, 'kernel/dma/direct.c'), text);
  return dir;
}

describe('compareTreeWithHand', () => {
  const streaming = readFileSync(`${FIX}/streaming.c`, 'utf8');

  it('a tree whose streaming functions have the modelled shape equals the hand-written baseline (and v7.3) machines', async () => {
    const dir = tree(streaming);
    const c = await compareTreeWithHand(dir, 'baseline', { entries: STREAMING });
    expect(c.equal).toBe(true);
    expect(c.entries).toEqual([
      { entry: 'dma_direct_map_phys', status: 'equal', file: 'kernel/dma/direct.c', tree: dir },
      { entry: 'dma_direct_unmap_phys', status: 'equal', file: 'kernel/dma/direct.c', tree: dir },
    ]);
    expect((await compareTreeWithHand(dir, 'v7.3', { entries: STREAMING })).equal).toBe(true);
  });

  it('a changed branch is reported with the first input and run that differ; an entry point the tree lacks is missing', async () => {
    const dir = tree(streaming.replace('return swiotlb_map(dev, phys, size, dir, attrs);', 'return phys_to_dma(dev, phys);'));
    const c = await compareTreeWithHand(dir, 'baseline', { entries: [...STREAMING, 'dma_direct_mmap'] });
    expect(c.equal).toBe(false);
    expect(c.entries.map((e) => e.status)).toEqual(['different', 'equal', 'missing']);
    expect(c.entries[0]!.difference).toEqual({
      input: ['forceBounce'],
      onlyLeft: 'direct_dma_addr locals=-',
      onlyRight: 'swiotlb_map:BOUNCE_MAPPED bounced_dma_addr locals=-',
    });
    expect(comparisonText(c).split('\n')).toEqual([
      `${dir} vs baseline: different`,
      '  dma_direct_map_phys: different (kernel/dma/direct.c)',
      '    input: forceBounce',
      '    extracted only: direct_dma_addr locals=-',
      '    hand only:      swiotlb_map:BOUNCE_MAPPED bounced_dma_addr locals=-',
      '  dma_direct_unmap_phys: equal (kernel/dma/direct.c)',
      '  dma_direct_mmap: missing (not defined in the tree)',
    ]);
  });

  it('takes entry points the tree lacks from a fallback tree, and names that tree', async () => {
    const dir = tree(readFileSync(`${FIX}/short-circuit.c`, 'utf8'));
    const fallback = tempDir('compare');
    mkdirSync(join(fallback, 'kernel/dma'), { recursive: true });
    writeFileSync(join(fallback, 'kernel/dma/direct.c'), '/* nothing here */\n');
    copyFileSync(`${FIX}/streaming.c`, join(fallback, 'kernel/dma/direct.h'));
    const c = await compareTreeWithHand(dir, 'baseline', { entries: ['dma_direct_alloc', 'dma_direct_unmap_phys'], fallbackTree: fallback });
    // short-circuit.c is a toy dma_direct_alloc: not the baseline one
    expect(c.entries.map((e) => [e.entry, e.status, e.tree])).toEqual([['dma_direct_alloc', 'different', dir], ['dma_direct_unmap_phys', 'equal', fallback]]);
    expect(c.entries[1]!.file).toBe('kernel/dma/direct.h');
    expect(comparisonText(c)).toContain(`dma_direct_unmap_phys: equal (${fallback}/kernel/dma/direct.h)`);
  });

  it('bad input: an unknown version names the valid ones', async () => {
    const dir = tree(streaming);
    await expect(compareTreeWithHand(dir, 'v9')).rejects.toThrow(UsageError);
    await expect(compareTreeWithHand(dir, 'v9')).rejects.toThrow(/^unknown version 'v9' \(valid: baseline, v2-p1, .*v7\.3\)$/);
  });
});
