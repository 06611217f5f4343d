import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureTree } from '../helpers/fixture-tree.ts';
import { dmaSetup, initialContext, type DmaMachine, type StateMeta } from '../../models/machines/dma-setup.ts';
import { frontEndMachine } from '../../models/machines/mapping-common.ts';
import { compareTreeWithHand } from '../../src/extract/compare-tree.ts';
import { ExtractError } from '../../src/extract/extract-error.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import { extractTree } from '../../src/extract/extract-tree.ts';
import { machineDifference } from '../../src/extract/machine-runs.ts';
import { toMachine, type ExtractedMachine } from '../../src/extract/translate.ts';
import { shape } from './machine-shape.ts';

const FIX = 'test/fixtures/extract';
const DIRECT = `${FIX}/front-end-direct.c`;
const MAPPING = `${FIX}/front-end-mapping.c`;

/** The front end of front-end-mapping.c, with the entry points of front-end-direct.c spliced in. */
async function frontEnd(id: string): Promise<ExtractedMachine> {
  const direct = await extractFile(DIRECT, readFileSync(DIRECT, 'utf8'), ['dma_direct_alloc', 'dma_direct_alloc_pages']);
  const byId = new Map(direct.machines.map((m) => [m.id, m]));
  const r = await extractFile(MAPPING, readFileSync(MAPPING, 'utf8'), [id], (name) => byId.get(name));
  expect(r.machines.map((m) => m.id)).toEqual([id]);
  return r.machines[0]!;
}

const meta = (source: string, extra: Partial<StateMeta> = {}): StateMeta => ({ source, ...extra });

/** front-end-direct.c's dma_direct_alloc(), written by hand. */
const handDirectAlloc: DmaMachine = dmaSetup.createMachine({
  id: 'dma_direct_alloc', initial: 'start', context: initialContext,
  states: {
    start: { meta: meta('F: attrs |= shared'), always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'alloc' }, { target: 'alloc' }] },
    alloc: { meta: meta('swiotlb_alloc', { call: 'swiotlb_alloc' }), on: { SWIOTLB_ALLOC_OK: { target: 'shared' }, SWIOTLB_ALLOC_FAILED: { target: 'null' } } },
    shared: { meta: meta('attrs & shared'), always: [{ guard: 'ccShared', target: 'decrypt' }, { target: 'linear' }] },
    decrypt: { meta: meta('set_memory_decrypted', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: 'linear' }, SET_DECRYPTED_FAILED: { target: 'leak' } } },
    linear: { type: 'final', meta: meta('return page_address', { returns: 'cpu_addr' }) },
    leak: { type: 'final', meta: meta('return NULL', { returns: 'null', leak: true }) },
    null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
  },
});

/** front-end-mapping.c's dma_alloc_attrs() around a dma_direct_alloc machine, spliced the way the hand-written front ends are. */
function handAllocAttrs(direct: DmaMachine, refuse = true): DmaMachine {
  return frontEndMachine('dma_alloc_attrs', direct, (entry) => ({
    start: { meta: meta('caller attrs'), always: [...(refuse ? [{ guard: 'callerSharedAttr', target: 'refused' }] : []), { target: 'shared' }] },
    refused: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
    shared: { meta: meta('F: attrs |= shared'), always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'coherent' }, { target: 'coherent' }] },
    coherent: { meta: meta('dev coherent'), always: [{ guard: 'devCoherentMemory', target: 'fromCoherent' }, { target: entry }] },
    fromCoherent: {
      meta: meta('dma_alloc_from_dev_coherent', { call: 'dma_alloc_from_dev_coherent' }),
      on: { POOL_ALLOC_OK: { target: 'region' }, POOL_ALLOC_FAILED: { target: 'exhausted' } },
    },
    region: { type: 'final', meta: meta('return cpu_addr', { returns: 'dev_coherent_cpu_addr' }) },
    exhausted: { type: 'final', meta: meta('return cpu_addr (NULL)', { returns: 'null' }) },
  }));
}

const kernelTree = (files: Record<string, string>) => fixtureTree(files, 'front-end');

describe('extract: a front-end function that calls an entry point', () => {
  it('dma_alloc_attrs = its own states (the caller\'s shared bit read from input callerShared) + dma_direct_alloc\'s, spliced under its id', async () => {
    const m = await frontEnd('dma_alloc_attrs');
    expect(m.initial).toBe('ccShared_L8');
    expect(shape(m)).toEqual([
      'ccShared_L8: [input:callerShared]->return_L9 else->forceDmaUnencrypted_L10',
      'return_L9: final null',
      'forceDmaUnencrypted_L10: [forceDmaUnencrypted]->set_ccShared_L11 else->devCoherentMemory_L12',
      'set_ccShared_L11: else/set:ccShared=true->devCoherentMemory_L12',
      'devCoherentMemory_L12: [devCoherentMemory]->dma_alloc_from_dev_coherent_L12 else->dma_direct_alloc:forceDmaUnencrypted_L7',
      'dma_alloc_from_dev_coherent_L12: POOL_ALLOC_OK->return_L13 POOL_ALLOC_FAILED->return_L13_2',
      'dma_direct_alloc:forceDmaUnencrypted_L7: [forceDmaUnencrypted]->dma_direct_alloc:set_ccShared_L8 else->dma_direct_alloc:swiotlb_alloc_L9',
      'dma_direct_alloc:set_ccShared_L8: else/set:ccShared=true->dma_direct_alloc:swiotlb_alloc_L9',
      'dma_direct_alloc:swiotlb_alloc_L9: SWIOTLB_ALLOC_OK->dma_direct_alloc:ccShared_L12 SWIOTLB_ALLOC_FAILED->dma_direct_alloc:return_L11',
      'dma_direct_alloc:ccShared_L12: [ccShared]->dma_direct_alloc:set_memory_decrypted_L13 else->dma_direct_alloc:return_L15',
      'dma_direct_alloc:return_L11: final null',
      'dma_direct_alloc:set_memory_decrypted_L13: SET_DECRYPTED_OK->dma_direct_alloc:return_L15 SET_DECRYPTED_FAILED->dma_direct_alloc:return_L14',
      'dma_direct_alloc:return_L15: final cpu_addr',
      'dma_direct_alloc:return_L14: final null leak',
      'return_L13: final dev_coherent_cpu_addr',
      'return_L13_2: final null',
    ]);
    // the spliced states cite the callee's file; the table entries and abstractions of both are listed
    expect(m.states.find((s) => s.name === 'dma_direct_alloc:swiotlb_alloc_L9')!.meta.source).toBe(`${DIRECT}:9 dma_direct_alloc: page = swiotlb_alloc(dev, size);`);
    expect(m.tableUsed).toEqual(expect.arrayContaining(['dma_direct_alloc', 'swiotlb_alloc', 'dma_alloc_from_dev_coherent', 'trace_dma_alloc', 'attrs&DMA_ATTR_CC_SHARED']));
    expect(m.abstractions.map((a) => a.split(':')[0])).toEqual(['attrs', 'dma_alloc_direct', 'dma_alloc_from_dev_coherent']);
  });

  it('has the runs of the hand-written splice of the same code, and the comparison sees a front end that forgets the refusal', async () => {
    const extracted = toMachine(await frontEnd('dma_alloc_attrs'));
    expect(machineDifference(extracted, handAllocAttrs(handDirectAlloc))).toBeUndefined();
    expect(machineDifference(extracted, handAllocAttrs(handDirectAlloc, false))).toEqual({
      input: ['callerShared'],
      onlyLeft: 'null locals=-',
      onlyRight: 'swiotlb_alloc:SWIOTLB_ALLOC_FAILED null locals=-',
    });
  });

  it('code after the call that needs a state: the callee\'s final states go on to it, knowing what was returned', async () => {
    const m = await frontEnd('dma_alloc_pages');
    expect(shape(m)).toEqual([
      'dma_direct_alloc_pages:swiotlb_alloc_L21: SWIOTLB_ALLOC_OK->dma_direct_alloc_pages:return_L21 SWIOTLB_ALLOC_FAILED->dma_direct_alloc_pages:return_L21_2',
      'dma_direct_alloc_pages:return_L21: else->devIsDmaCoherent_L28',
      'devIsDmaCoherent_L28: [devIsDmaCoherent]->return_L30 else->return_L29',
      // NULL returned: `page && ...` is decided false, and `return page` hands the callee's NULL on
      'dma_direct_alloc_pages:return_L21_2: final null',
      'return_L30: final page',
      'return_L29: final null',
    ]);
    const hand = dmaSetup.createMachine({
      id: 'dma_alloc_pages', initial: 'alloc', context: initialContext,
      states: {
        alloc: { meta: meta('swiotlb_alloc', { call: 'swiotlb_alloc' }), on: { SWIOTLB_ALLOC_OK: { target: 'coherent' }, SWIOTLB_ALLOC_FAILED: { target: 'null' } } },
        coherent: { meta: meta('C'), always: [{ guard: 'devIsDmaCoherent', target: 'page' }, { target: 'null' }] },
        page: { type: 'final', meta: meta('return page', { returns: 'page' }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    expect(machineDifference(toMachine(m), hand)).toBeUndefined();
  });

  it('from a tree: mapping.c read after direct.c, whose machine is spliced in (and returned only when asked for)', async () => {
    const dir = kernelTree({ 'direct.c': 'front-end-direct.c', 'mapping.c': 'front-end-mapping.c' });
    const only = await extractTree(dir, ['dma_alloc_attrs']);
    expect(only.map((f) => [f.file, f.machines.map((m) => [m.id, m.states.length])])).toEqual([['kernel/dma/mapping.c', [['dma_alloc_attrs', 16]]]]);
    expect(only[0]!.machines[0]!.states.find((s) => s.name === 'dma_direct_alloc:return_L15')!.meta.source).toMatch(/^kernel\/dma\/direct\.c:15 /);
    const both = await extractTree(dir, ['dma_direct_alloc', 'dma_alloc_attrs']);
    expect(both.map((f) => [f.file, f.machines.map((m) => m.id)])).toEqual([['kernel/dma/direct.c', ['dma_direct_alloc']], ['kernel/dma/mapping.c', ['dma_alloc_attrs']]]);
  });

  it('compareTreeWithHand: a front end taken from the fallback tree\'s mapping.c has the tree\'s own dma_direct_* machine spliced in', async () => {
    const dir = kernelTree({ 'direct.c': 'front-end-direct.c' });
    // the fallback's own dma_direct_alloc_pages allocates from the buddy allocator (alloc_pages_node)
    const fallback = kernelTree({ 'direct.c': 'inline-twice.c', 'mapping.c': 'front-end-mapping.c' });
    const c = await compareTreeWithHand(dir, 'baseline', { entries: ['dma_alloc_pages'], fallbackTree: fallback });
    expect(c.entries).toEqual([{
      entry: 'dma_alloc_pages', status: 'different', file: 'kernel/dma/mapping.c', tree: fallback,
      difference: { input: [], onlyLeft: 'swiotlb_alloc:SWIOTLB_ALLOC_FAILED null locals=-', onlyRight: 'alloc_pages_node:BUDDY_FAILED null locals=-' },
    }]);
  });

  const errors: [string, string][] = [
    ['dma_free_attrs', `kernel/dma/mapping.c:5:6: unknown function 'frob_coherent' (not in the lookup table, not defined in kernel/dma/mapping.c): add 'frob_coherent' to FUNCTIONS in models/extract-table.ts`],
    ['dma_free_pages', 'kernel/dma/mapping.c:14:2: dma_direct_free_pages() is an entry point (meaning \'entry\' in models/extract-table.ts) whose machine was not extracted: read the file that defines it too'],
    ['dma_alloc_pages', 'kernel/dma/mapping.c:21:2: \'bool remap = true;\': dma_alloc_pages() calls an entry point and keeps its own remap in the machine context, which the spliced machine shares: not supported'],
    ['dma_mmap_attrs', 'kernel/dma/mapping.c:31:2: dma_direct_mmap() was translated with ccShared never set (its tests decided clear), but dma_mmap_attrs() may set it before the call: not supported'],
  ];
  it.each(errors)('%s: an ExtractError naming mapping.c, line and column', async (entry, message) => {
    const dir = kernelTree({ 'direct.c': 'front-end-direct.c', 'mapping.c': 'front-end-errors.c' });
    const e = await extractTree(dir, [entry]).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(ExtractError);
    expect((e as ExtractError).message.startsWith(message)).toBe(true);
  });
});
