/**
 * dma_direct_alloc_pages() in the `jgg-flags` design (facts §3; see
 * jgg-flags-common.ts). Never remaps.
 *
 * A non-blocking allocation for a device that cannot DMA from encrypted
 * memory takes an atomic-pool chunk (flag DEC) and returns its real
 * struct page: the design hands out (phys, flag), never a CPU address in
 * place of a page (the baseline's void * as struct page * confusion does
 * not arise; upstream fixed it separately with "dma-direct: return struct
 * page from dma_direct_alloc_from_pool()"). Otherwise the backing
 * allocator reports the flag; an ENC page is decrypted if the device
 * cannot DMA from encrypted memory (a failure leaks), and the DMA handle
 * follows the flag.
 *
 * ABSTRACTION: allow_highmem is false, as upstream (no linear alias
 * otherwise).
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggBackingStates, jggSource, SET_FLAG_DECRYPTED, jggPoolGateStates } from './jgg-flags-common.ts';

const FN = 'dma_direct_alloc_pages()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'allocSketch') => jggSource(FN, what, msg);

export const jggDmaDirectAllocPages = dmaSetup.createMachine({
  id: 'dma_direct_alloc_pages',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('entry; !dev_can_dma_from_encrypted(dev) && dma_direct_use_pool(dev, gfp): a non-blocking allocation that needs a decryption takes an atomic-pool chunk', 'twoQuestions') } satisfies StateMeta,
      always: [{ guard: 'useAtomicPoolForAllocPages', target: 'fromPool' }, { target: 'backing' }],
    },
    ...jggPoolGateStates((what) => src(what)),
    poolAlloc: {
      meta: { source: src('dma_alloc_from_pool(): (page, flags = DEC); the chunk\'s struct page is returned', 'flagWithPhys'), call: 'dma_alloc_from_pool' } satisfies StateMeta,
      on: { POOL_ALLOC_OK: { target: 'returnPage', actions: [...SET_FLAG_DECRYPTED] }, POOL_ALLOC_FAILED: { target: 'returnNull' } },
    },
    ...(jggBackingStates({ prefix: '', fn: FN, onEncrypted: 'transitionCheck', onDecrypted: 'returnPage', onNoPage: 'returnNull', allowHighmem: false }) as {}),
    transitionCheck: {
      meta: { source: src('if (!dev_can_dma_from_encrypted(dev) && !(flags & FLAG_DECRYPTED)): the one device question, right before the flag is set') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', target: 'setMemoryDecrypted' }, { target: 'returnPage' }],
    },
    setMemoryDecrypted: {
      meta: { source: src('dma_set_decrypted(dev, page_address(page)); flags = FLAG_DECRYPTED; failure -> leak the page, return NULL'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'returnPage', actions: [...SET_FLAG_DECRYPTED] }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    returnPage: {
      type: 'final',
      meta: { source: src('memset; *dma_handle = flag DEC ? phys_to_dma_unencrypted() : phys_to_dma(); return page', 'encodingFromFlag'), returns: 'page' } satisfies StateMeta,
    },
    outLeakPages: {
      type: 'final',
      meta: { source: src('set_memory_decrypted() failed: return NULL; the page is never freed'), returns: 'null', leak: true } satisfies StateMeta,
    },
    returnNull: {
      type: 'final',
      meta: { source: src('return NULL'), returns: 'null' } satisfies StateMeta,
    },
  },
});
