import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixtureTree } from '../helpers/fixture-tree.ts';
import { versionById, VERSION_IDS } from '../../models/versions.ts';
import { buildTreeVersion, loadTreeVersion, treeFlags, unloadTreeVersion } from '../../src/extract/tree-registry.ts';
import { completionNote, detectEnv, parseTreeArg, treeVersionData } from '../../src/extract/tree-version.ts';

const TREE = join(import.meta.dirname, '..', 'fixtures', 'tree');
const DIRECT_C = join(TREE, 'kernel', 'dma', 'direct.c');
const OTHERS = [
  'dma_direct_free', 'dma_direct_alloc_pages', 'dma_direct_free_pages', 'dma_direct_mmap', 'dma_direct_map_phys', 'dma_direct_unmap_phys',
  'dma_alloc_attrs', 'dma_free_attrs', 'dma_mmap_attrs', 'dma_alloc_pages', 'dma_free_pages', 'dma_mmap_pages',
];

afterEach(() => unloadTreeVersion('fixture'));

describe('a kernel tree as a version', () => {
  it('--tree DIR is named after the directory, NAME=DIR after NAME', () => {
    expect(parseTreeArg(TREE)).toEqual({ name: 'tree', dir: TREE });
    expect(parseTreeArg(`mine=${TREE}`)).toEqual({ name: 'mine', dir: TREE });
    expect(() => parseTreeArg('a/b=x')).toThrow("bad --tree 'a/b=x': 'a/b' cannot be a version id");
  });

  it('detects the environment generation from what the code uses, comments aside', () => {
    const file = (text: string) => [{ path: 'kernel/dma/direct.c', text }];
    expect(detectEnv(file('page = swiotlb_alloc(dev, size);')).env).toBe('classic');
    expect(detectEnv(file('page = swiotlb_alloc(dev, size, attrs);'))).toEqual({ env: 'cc-shared', why: 'detected: swiotlb_alloc() is passed attrs' });
    expect(detectEnv(file('if (attrs & __DMA_ATTR_ALLOC_CC_SHARED) x();')).env).toBe('cc-shared');
    expect(detectEnv(file('/* once: swiotlb_alloc(dev, size, attrs) */ swiotlb_alloc(dev, size);')).env).toBe('classic');
  });

  it('extracts what the tree defines and completes the rest from the hand version of its generation, saying so', async () => {
    const d = await treeVersionData({ name: 'fixture', dir: TREE });
    const text = readFileSync(DIRECT_C, 'utf8');
    expect(d).toMatchObject({
      id: 'fixture', path: resolve(TREE), env: 'classic', completedFrom: 'baseline', completed: OTHERS,
      files: [{ path: 'kernel/dma/direct.c', sha256: createHash('sha256').update(text).digest('hex') }],
      sha256: createHash('sha256').update(`kernel/dma/direct.c\0${text}\0`).digest('hex'),
    });
    expect(d.envFrom).toMatch(/^detected: /);
    expect(d.machines.map((m) => [m.id, m.states.length])).toEqual([['dma_direct_alloc', 12]]);
    expect(completionNote(d)).toBe(`dmacheck: tree fixture: kernel/dma/direct.c defines no ${OTHERS.join(', ')}; ` +
      'ABSTRACTION: they run the hand-written baseline machines (the tree has no kernel/dma/direct.h, kernel/dma/mapping.c)');
  });

  it('--env takes the generation and the missing entry points of the version it names', async () => {
    const d = await treeVersionData({ name: 'fixture', dir: TREE }, 'v7.3');
    expect([d.env, d.envFrom, d.completedFrom]).toEqual(['cc-shared', '--env v7.3', 'v7.3']);
    const v = buildTreeVersion(d);
    expect(v.env).toBe('cc-shared');
    expect(v.machines.dma_direct_free.config).toBe(versionById('v7.3')!.machines.dma_direct_free.config);
  });

  it('the version runs the extracted machine, and the front end holds it', async () => {
    const d = await treeVersionData({ name: 'fixture', dir: TREE });
    const v = buildTreeVersion(d);
    expect(Object.keys(v.machines.dma_direct_alloc.states)).toHaveLength(12);
    expect(v.machines.dma_direct_free.config).toBe(versionById('baseline')!.machines.dma_direct_free.config);
    const spliced = Object.keys(v.machines.dma_alloc_attrs.states).filter((s) => s.startsWith('dma_direct_alloc:'));
    expect(spliced).toHaveLength(12);
  });

  it("a tree with mapping.c runs its own front end around its own dma_direct_* machines", async () => {
    const dir = fixtureTree({ 'direct.c': 'front-end-direct.c', 'mapping.c': 'front-end-mapping.c' });
    const d = await treeVersionData({ name: 'fixture', dir });
    expect(d.files.map((f) => f.path)).toEqual(['kernel/dma/direct.c', 'kernel/dma/mapping.c']);
    expect(d.machines.map((m) => m.id).filter((id) => !id.startsWith('dma_direct_'))).toEqual(['dma_alloc_attrs', 'dma_alloc_pages']);
    expect(d.completed).not.toContain('dma_alloc_attrs');
    expect(d.completed).toContain('dma_free_attrs');
    expect(completionNote(d)).toMatch(/\(the tree has no kernel\/dma\/direct\.h\)$/);
    const v = buildTreeVersion(d);
    const states = Object.keys(v.machines.dma_alloc_attrs.states);
    expect(states).toHaveLength(16);
    expect(states.filter((s) => s.startsWith('dma_direct_alloc:'))).toHaveLength(d.machines.find((m) => m.id === 'dma_direct_alloc')!.states.length);
  });

  it('is a version id while loaded, with the flags a pasted command needs, and gone after', async () => {
    const d = await treeVersionData({ name: 'fixture', dir: TREE });
    expect(versionById('fixture')).toBeUndefined();
    loadTreeVersion(d);
    expect(VERSION_IDS.at(-1)).toBe('fixture');
    expect(versionById('fixture')!.description).toContain(resolve(TREE));
    expect(treeFlags(['baseline', 'fixture'])).toBe(`--tree fixture=${resolve(TREE)} `);
    unloadTreeVersion('fixture');
    expect(VERSION_IDS).not.toContain('fixture');
    expect(treeFlags(['fixture'])).toBe('');
  });
});
