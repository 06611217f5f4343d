import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dmaSetup, initialContext, type DmaMachine, type StateMeta } from '../../models/machines/dma-setup.ts';
import { extractFile } from '../../src/extract/extract-file.ts';
import { inputKeysRead, machineDifference, machineRuns as runs } from '../../src/extract/machine-runs.ts';
import { toMachine, type ExtractedMachine } from '../../src/extract/translate.ts';
import { shape } from './machine-shape.ts';
import { directAllocPagesStates } from '../../models/machines/direct-alloc-pages-states.ts';

const FIX = 'test/fixtures/extract';

async function extract(name: string): Promise<ExtractedMachine> {
  const path = `${FIX}/${name}`;
  const r = await extractFile(path, readFileSync(path, 'utf8'));
  expect(r.machines).toHaveLength(1);
  return r.machines[0]!;
}

const meta = (source: string, extra: Partial<StateMeta> = {}): StateMeta => ({ source, ...extra });

/** The hand-written __dma_direct_alloc_pages() block, returning the page or NULL. */
function handAllocPages(allowHighmem: boolean): DmaMachine {
  return dmaSetup.createMachine({
    id: 'dma_direct_alloc_pages', initial: 'directAllocPages', context: initialContext,
    states: {
      ...(directAllocPagesStates({ prefix: '', onPage: 'page', onNoPage: 'null', allowHighmem }) as {}),
      page: { type: 'final', meta: meta('return page', { returns: 'page' }) },
      null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
    },
  });
}

describe('extract: the translator on small C files', () => {
  it('nested conditions follow C short-circuit order and an early return ends the machine', async () => {
    const m = await extract('short-circuit.c');
    expect(m.id).toBe('dma_direct_alloc');
    expect(m.initial).toBe('NKM_L9');
    expect(shape(m)).toEqual([
      'NKM_L9: [input:NKM]->forceDmaUnencrypted_L10 else->swiotlb_alloc_L13',
      'forceDmaUnencrypted_L10: [forceDmaUnencrypted]->swiotlb_alloc_L13 else->isSwiotlbForAlloc_L10',
      'swiotlb_alloc_L13: SWIOTLB_ALLOC_OK->forceDmaUnencrypted_L16 SWIOTLB_ALLOC_FAILED->return_L15',
      'isSwiotlbForAlloc_L10: [isSwiotlbForAlloc]->swiotlb_alloc_L13 else->return_L11',
      'forceDmaUnencrypted_L16: [forceDmaUnencrypted]->set_memory_decrypted_L17 else->isSwiotlbForAlloc_L16',
      'return_L15: final null',
      'return_L11: final null',
      'set_memory_decrypted_L17: SET_DECRYPTED_OK->return_L20 SET_DECRYPTED_FAILED->return_L18',
      'isSwiotlbForAlloc_L16: [isSwiotlbForAlloc]->set_memory_decrypted_L17 else->return_L20',
      'return_L20: final cpu_addr',
      'return_L18: final null leak',
    ]);
    expect(m.states.find((s) => s.name === 'isSwiotlbForAlloc_L16')!.meta.source)
      .toBe(`${FIX}/short-circuit.c:16 dma_direct_alloc: is_swiotlb_for_alloc(dev)`);
  });

  it('the short-circuit machine has the runs of a hand-written machine of the same code', async () => {
    const hand = dmaSetup.createMachine({
      id: 'dma_direct_alloc', initial: 'start', context: initialContext,
      states: {
        start: { meta: meta('entry'), always: [{ guard: 'noKernelMappingShortcut', target: 'null' }, { target: 'alloc' }] },
        alloc: { meta: meta('swiotlb_alloc', { call: 'swiotlb_alloc' }), on: { SWIOTLB_ALLOC_OK: { target: 'decide' }, SWIOTLB_ALLOC_FAILED: { target: 'null' } } },
        decide: { meta: meta('F || R'), always: [{ guard: 'forceDmaUnencrypted', target: 'decrypt' }, { guard: 'isSwiotlbForAlloc', target: 'decrypt' }, { target: 'linear' }] },
        decrypt: { meta: meta('set_memory_decrypted', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: 'linear' }, SET_DECRYPTED_FAILED: { target: 'leak' } } },
        linear: { type: 'final', meta: meta('return page_address', { returns: 'cpu_addr' }) },
        leak: { type: 'final', meta: meta('return NULL', { returns: 'null', leak: true }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    const keys = ['NKM', 'F', 'R', 'B', 'C'] as const;
    const extracted = runs(toMachine(await extract('short-circuit.c')), keys);
    expect(extracted).toEqual(runs(hand, keys));
    // the comparison can fail: a hand machine that forgets R in the decision differs
    const wrong = hand.provide({ guards: { isSwiotlbForAlloc: () => false } });
    expect(runs(wrong, keys)).not.toEqual(extracted);
  });

  it('goto into a shared error label: paths with the same knowledge share the label state; remap lives in the context', async () => {
    const m = await extract('goto-label.c');
    // the shared label gets one state per path knowledge: after a failed decrypt the leak is pending until the free;
    // remap is set on one path only, yet tested by a state on every path (no copy of the rest per assignment history)
    expect(shape(m)).toEqual([
      'devIsDmaCoherent_L9: [devIsDmaCoherent]->alloc_pages_node_L12 else->dmaDirectRemapConfigured_L10',
      'alloc_pages_node_L12: BUDDY_PAGE->remap_L16 BUDDY_FAILED->return_L14',
      'dmaDirectRemapConfigured_L10: [dmaDirectRemapConfigured]->set_remap_L10 else->set_remap_L10_2',
      'remap_L16: [remapNeeded]->dma_common_contiguous_remap_L17 else->set_memory_decrypted_L22',
      'return_L14: final null',
      'set_remap_L10: else/set:remap=true->alloc_pages_node_L12',
      'set_remap_L10_2: else/set:remap=false->alloc_pages_node_L12',
      'dma_common_contiguous_remap_L17: REMAP_OK->return_L25 REMAP_FAILED->__dma_direct_free_pages_L28',
      'set_memory_decrypted_L22: SET_DECRYPTED_OK->return_L25_2 SET_DECRYPTED_FAILED->__dma_direct_free_pages_L28_2',
      'return_L25: final cpu_addr',
      '__dma_direct_free_pages_L28: PAGES_FREED->return_L29',
      'return_L25_2: final cpu_addr',
      '__dma_direct_free_pages_L28_2: PAGES_FREED->return_L29',
      'return_L29: final null',
    ]);
    expect(m.states.find((s) => s.name === 'set_remap_L10')!.meta.source)
      .toBe(`${FIX}/goto-label.c:10 dma_direct_alloc: remap = IS_ENABLED(CONFIG_DMA_DIRECT_REMAP);`);

    const hand = dmaSetup.createMachine({
      id: 'dma_direct_alloc', initial: 'start', context: initialContext,
      states: {
        start: { meta: meta('entry'), always: [{ guard: 'devIsDmaCoherent', target: 'alloc' }, { guard: 'dmaDirectRemapConfigured', target: 'alloc', actions: 'takeNonCoherentStrategy' }, { target: 'alloc' }] },
        alloc: { meta: meta('alloc', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: 'split' }, BUDDY_FAILED: { target: 'null' } } },
        split: { meta: meta('if (remap)'), always: [{ guard: 'remapNeeded', target: 'remap' }, { target: 'decrypt' }] },
        remap: { meta: meta('remap', { call: 'dma_common_contiguous_remap' }), on: { REMAP_OK: { target: 'ret' }, REMAP_FAILED: { target: 'free' } } },
        decrypt: { meta: meta('decrypt', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: 'ret' }, SET_DECRYPTED_FAILED: { target: 'free' } } },
        free: { meta: meta('free', { call: '__dma_direct_free_pages' }), on: { PAGES_FREED: { target: 'null' } } },
        ret: { type: 'final', meta: meta('return ret', { returns: 'cpu_addr' }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    // takeNonCoherentStrategy also sets setUncached; the C file has no set_uncached, so compare with it off
    const noUncached = hand.provide({ actions: { takeNonCoherentStrategy: dmaSetup.assign({ remap: true }) } as never });
    const keys = ['C', 'remapConfig', 'setUncachedConfig', 'F'] as const;
    expect(runs(toMachine(m), keys)).toEqual(runs(noUncached, keys));
  });

  it('a static helper inlined twice gets distinct states per call site', async () => {
    const m = await extract('inline-twice.c');
    expect(shape(m)).toEqual([
      'alloc_pages_node_L12: BUDDY_PAGE->forceDmaUnencrypted_L4_in_set_decrypted1 BUDDY_FAILED->return_L15',
      'forceDmaUnencrypted_L4_in_set_decrypted1: [forceDmaUnencrypted]->set_memory_decrypted_L6_in_set_decrypted1 else->forceDmaUnencrypted_L4_in_set_decrypted2',
      'return_L15: final null',
      'set_memory_decrypted_L6_in_set_decrypted1: SET_DECRYPTED_OK->forceDmaUnencrypted_L4_in_set_decrypted2 SET_DECRYPTED_FAILED->return_L17',
      'forceDmaUnencrypted_L4_in_set_decrypted2: [forceDmaUnencrypted]->set_memory_decrypted_L6_in_set_decrypted2 else->return_L20',
      'return_L17: final null leak',
      'set_memory_decrypted_L6_in_set_decrypted2: SET_DECRYPTED_OK->return_L20 SET_DECRYPTED_FAILED->return_L19',
      'return_L20: final page',
      'return_L19: final null leak',
    ]);
    expect(m.states[1]!.meta.source).toBe(`${FIX}/inline-twice.c:4 dma_direct_alloc_pages > set_decrypted: force_dma_unencrypted(dev)`);

    const hand = (twice: boolean) => dmaSetup.createMachine({
      id: 'dma_direct_alloc_pages', initial: 'alloc', context: initialContext,
      states: {
        alloc: { meta: meta('alloc', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: 'check' }, BUDDY_FAILED: { target: 'null' } } },
        check: { meta: meta('F?'), always: [{ guard: 'forceDmaUnencrypted', target: 'first' }, { target: 'page' }] },
        first: { meta: meta('decrypt', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: twice ? 'second' : 'page' }, SET_DECRYPTED_FAILED: { target: 'leak' } } },
        second: { meta: meta('decrypt again', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: 'page' }, SET_DECRYPTED_FAILED: { target: 'leak' } } },
        page: { type: 'final', meta: meta('return page', { returns: 'page' }) },
        leak: { type: 'final', meta: meta('return NULL', { returns: 'null', leak: true }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    expect(machineDifference(toMachine(m), hand(true))).toBeUndefined();
    // a machine that inlined the helper once differs
    expect(machineDifference(toMachine(m), hand(false))).toBeDefined();
  });

  it('a loop the table bounds: dma_coherent_ok() holds, so the retry is never taken and its body is listed as not translated', async () => {
    const m = await extract('bounded-loop.c');
    expect(shape(m)).toEqual([
      'alloc_pages_node_L7: BUDDY_PAGE->return_L14 BUDDY_FAILED->return_L14_2',
      'return_L14: final page',
      'return_L14_2: final null',
    ]);
    expect(m.abstractions).toHaveLength(1);
    expect(m.abstractions[0]).toMatch(/^dma_coherent_ok: /);
    expect(m.unreached).toEqual([expect.stringMatching(/bounded-loop\.c:10:7: unknown function 'retry_with_smaller_zone'/)]);

    const hand = (retries: boolean) => dmaSetup.createMachine({
      id: 'dma_direct_alloc_pages', initial: 'alloc', context: initialContext,
      states: {
        alloc: { meta: meta('alloc', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: retries ? 'again' : 'page' }, BUDDY_FAILED: { target: 'null' } } },
        again: { meta: meta('retry', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: 'page' }, BUDDY_FAILED: { target: 'null' } } },
        page: { type: 'final', meta: meta('return page', { returns: 'page' }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    expect(machineDifference(toMachine(m), hand(false))).toBeUndefined();
    // a machine that takes the retry once differs
    expect(machineDifference(toMachine(m), hand(true))).toBeDefined();
  });

  it('a pointer whose kind changes: what a return hands out follows the last assignment on the path', async () => {
    const m = await extract('pointer-kind.c');
    expect(shape(m)).toEqual([
      'alloc_pages_node_L5: BUDDY_PAGE->setUncachedConfigured_L11 BUDDY_FAILED->return_L9',
      'setUncachedConfigured_L11: [setUncachedConfigured]->arch_dma_set_uncached_L12 else->B_L16',
      'return_L9: final null',
      'arch_dma_set_uncached_L12: SET_UNCACHED_OK->B_L16_2 SET_UNCACHED_FAILED->return_L14',
      'B_L16: [input:B]->return_L17 else->return_L18',
      'B_L16_2: [input:B]->return_L17 else->return_L18_2',
      'return_L14: final null',
      'return_L17: final page_cookie',
      'return_L18: final cpu_addr',
      'return_L18_2: final cpu_addr',
    ]);
    const returns = Object.fromEntries(m.states.filter((s) => s.final).map((s) => [s.name, s.meta.returns]));
    expect(returns).toEqual({
      return_L9: 'null', return_L14: 'null', return_L17: 'page_cookie', return_L18: 'cpu_addr', return_L18_2: 'cpu_addr',
    });
    // IS_ERR(ret) is decided by the outcome of arch_dma_set_uncached: no state for it
    expect(shape(m)).toContain('arch_dma_set_uncached_L12: SET_UNCACHED_OK->B_L16_2 SET_UNCACHED_FAILED->return_L14');
    // `return page` does not read ret: the two paths share it once ret is dead
    expect(shape(m)).toContain('B_L16_2: [input:B]->return_L17 else->return_L18_2');
    expect(m.tableUsed).toContain('IS_ERR');

    const hand = (uncachedReturnsPage: boolean) => dmaSetup.createMachine({
      id: 'dma_direct_alloc', initial: 'alloc', context: initialContext,
      states: {
        alloc: { meta: meta('alloc', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: 'config' }, BUDDY_FAILED: { target: 'null' } } },
        config: { meta: meta('SET_UNCACHED?'), always: [{ guard: 'setUncachedConfigured', target: 'uncached' }, { target: 'pick' }] },
        uncached: { meta: meta('set uncached', { call: 'arch_dma_set_uncached' }), on: { SET_UNCACHED_OK: { target: uncachedReturnsPage ? 'cookie' : 'pick' }, SET_UNCACHED_FAILED: { target: 'null' } } },
        pick: { meta: meta('B?'), always: [{ guard: ({ context }: { context: { B: boolean } }) => context.B, target: 'cookie' }, { target: 'linear' }] as never },
        cookie: { type: 'final', meta: meta('return page', { returns: 'page_cookie' }) },
        linear: { type: 'final', meta: meta('return ret', { returns: 'cpu_addr' }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    expect(machineDifference(toMachine(m), hand(false))).toBeUndefined();
    // a machine that hands out the page after set_uncached whatever the caller blocks on differs
    expect(machineDifference(toMachine(m), hand(true))).toBeDefined();
  });

  it('a call the table makes only where a guard holds, a literal argument of an inlined helper: the same runs as the hand-written __dma_direct_alloc_pages block', async () => {
    const m = await extract('cma-fallback.c');
    expect(shape(m)).toEqual([
      'isSwiotlbForAlloc_L11_in_get_pages1: [isSwiotlbForAlloc]->swiotlb_alloc_L12_in_get_pages1 else->highmemCmaConfigured_L13_in_get_pages1',
      'swiotlb_alloc_L12_in_get_pages1: SWIOTLB_ALLOC_OK->return_L29 SWIOTLB_ALLOC_FAILED->return_L28',
      'highmemCmaConfigured_L13_in_get_pages1: [highmemCmaConfigured]->dma_alloc_contiguous_L13_in_get_pages1 else->alloc_pages_node_L19_in_get_pages1',
      'return_L29: final page',
      'return_L28: final null',
      'dma_alloc_contiguous_L13_in_get_pages1: CMA_HIGHMEM_PAGE/markPageHighmem->pageIsHighmem_L15_in_get_pages1 CMA_NONE->alloc_pages_node_L19_in_get_pages1',
      'alloc_pages_node_L19_in_get_pages1: BUDDY_PAGE->return_L29 BUDDY_FAILED->return_L28',
      'pageIsHighmem_L15_in_get_pages1: [pageIsHighmem]->dma_free_contiguous_L17_in_get_pages1 else->return_L29',
      'dma_free_contiguous_L17_in_get_pages1: CMA_RELEASED/set:pageHighmem=false->alloc_pages_node_L19_in_get_pages1',
    ]);
    expect(m.abstractions).toEqual([expect.stringMatching(/^dma_alloc_contiguous: lowmem CMA pages behave as buddy pages/)]);
    const hand = handAllocPages(false);
    const keys = ['R', 'highmemCmaConfig', 'F', 'B'] as const;
    const extracted = runs(toMachine(m), keys);
    expect(extracted).toEqual(runs(hand, keys));
    // and differs from the block that keeps a highmem page
    const keeps = handAllocPages(true);
    expect(runs(keeps, keys)).not.toEqual(extracted);
  });

  it('the attrs word as context: `attrs |= BIT` sets the field, `&`, `==` and a table call (dma_pgprot) test it, a helper given attrs sees the same bits', async () => {
    const m = await extract('attrs-cc-shared.c');
    expect(shape(m)).toEqual([
      'forceDmaUnencrypted_L22: [forceDmaUnencrypted]->set_ccShared_L23 else->NKM_L25',
      'set_ccShared_L23: else/set:ccShared=true->NKM_L25',
      'NKM_L25: [input:NKM]->ccShared_L25 else->ccShared_L4_in_get_pages1',
      'ccShared_L25: [ccShared]->ccShared_L4_in_get_pages1 else->isSwiotlbForAlloc_L26',
      'ccShared_L4_in_get_pages1: [ccShared]->swiotlb_alloc_L5_in_get_pages1 else->alloc_pages_node_L6_in_get_pages1',
      'isSwiotlbForAlloc_L26: [isSwiotlbForAlloc]->ccShared_L4_in_get_pages1 else->return_L27',
      'swiotlb_alloc_L5_in_get_pages1: SWIOTLB_ALLOC_OK->ccShared_L32 SWIOTLB_ALLOC_FAILED->return_L31',
      'alloc_pages_node_L6_in_get_pages1: BUDDY_PAGE->ccShared_L32 BUDDY_FAILED->return_L31',
      'return_L27: final null',
      'ccShared_L32: [ccShared]->set_memory_decrypted_L33 else->ccShared_L35',
      'return_L31: final null',
      'set_memory_decrypted_L33: SET_DECRYPTED_OK->ccShared_L35 SET_DECRYPTED_FAILED->return_L34',
      'ccShared_L35: [ccShared]->usePgprotDecrypted_L35 else->ccShared_L36',
      'return_L34: final null leak',
      'usePgprotDecrypted_L35: else/usePgprotDecrypted->ccShared_L36',
      'ccShared_L36: [ccShared]->usePhysToDmaUnencrypted_L12_in_to_dma1 else->return_L37',
      'usePhysToDmaUnencrypted_L12_in_to_dma1: else/usePhysToDmaUnencrypted->return_L37',
      'return_L37: final cpu_addr',
    ]);
    // the bit is tested before the function could have set it: what the caller passes is an abstraction, listed
    expect(m.abstractions).toEqual([expect.stringMatching(/^attrs: the caller passes no CC_SHARED bit/)]);

    const hand = (decryptedProt: boolean) => dmaSetup.createMachine({
      id: 'dma_direct_alloc', initial: 'start', context: initialContext,
      states: {
        start: { meta: meta('attrs |= CC_SHARED'), always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'nkm' }, { target: 'nkm' }] },
        nkm: { meta: meta('NKM only'), always: [{ guard: 'noKernelMappingUnshared', target: 'null' }, { guard: 'ccShared', target: 'slot' }, { target: 'buddy' }] },
        slot: { meta: meta('slot', { call: 'swiotlb_alloc' }), on: { SWIOTLB_ALLOC_OK: { target: 'decrypt?' }, SWIOTLB_ALLOC_FAILED: { target: 'null' } } },
        buddy: { meta: meta('buddy', { call: 'alloc_pages_node' }), on: { BUDDY_PAGE: { target: 'decrypt?' }, BUDDY_FAILED: { target: 'null' } } },
        'decrypt?': { meta: meta('CC?'), always: [{ guard: 'ccShared', target: 'decrypt' }, { target: 'handOut' }] },
        decrypt: { meta: meta('decrypt', { call: 'set_memory_decrypted' }), on: { SET_DECRYPTED_OK: { target: 'handOut' }, SET_DECRYPTED_FAILED: { target: 'leak' } } },
        handOut: {
          meta: meta('prot and handle'),
          always: [{ guard: 'ccShared', actions: decryptedProt ? ['usePgprotDecrypted', 'usePhysToDmaUnencrypted'] : ['usePhysToDmaUnencrypted'], target: 'linear' }, { target: 'linear' }],
        },
        linear: { type: 'final', meta: meta('return page_address', { returns: 'cpu_addr' }) },
        leak: { type: 'final', meta: meta('return NULL', { returns: 'null', leak: true }) },
        null: { type: 'final', meta: meta('return NULL', { returns: 'null' }) },
      },
    });
    const mine = toMachine(m);
    expect(inputKeysRead(mine)).toEqual(['F', 'R', 'NKM']);
    expect(machineDifference(mine, hand(true))).toBeUndefined();
    // a machine whose dma_pgprot() ignores the bit differs: at the first input with F, in the locals at the end
    expect(machineDifference(mine, hand(false))).toEqual({
      input: ['F'],
      onlyLeft: 'swiotlb_alloc:SWIOTLB_ALLOC_OK set_memory_decrypted:SET_DECRYPTED_OK cpu_addr locals=protDecrypted,dmaUnencrypted,ccShared',
      onlyRight: 'swiotlb_alloc:SWIOTLB_ALLOC_OK set_memory_decrypted:SET_DECRYPTED_OK cpu_addr locals=dmaUnencrypted,ccShared',
    });
  });
});
