/**
 * dma_direct_alloc() in the `jgg-flags` design (Jason Gunthorpe's
 * counter-proposal to the v2 series, facts §3; see jgg-flags-common.ts).
 *
 * The backing allocator returns the page with its flag (restricted-pool
 * slot: DEC; CMA/buddy: ENC). If the device cannot DMA from encrypted
 * memory and the flag is ENC, the linear alias is decrypted (a failure
 * leaks the page), the flag becomes DEC and dma-direct owns the
 * transition. The remap prot and the DMA handle follow the flag. On an
 * error after that point the memory is re-encrypted only if dma-direct
 * owns the transition (a pool slot goes back to its pool as it is).
 *
 * The entry decisions keep the baseline's structure, phrased as the one
 * device question: the NO_KERNEL_MAPPING shortcut needs no encryption
 * work (dev_can_dma_from_encrypted(dev), and no restricted pool, whose
 * slots the shortcut's free could not give back); an allocation that may
 * not block and would need a remap or a decryption takes a chunk of the
 * atomic pool, whose flag is DEC. allow_highmem is the `allowHighmem`
 * guard: dev_can_dma_from_encrypted(dev), since a highmem page has no
 * linear alias to decrypt.
 *
 * ABSTRACTION: as in dma-direct-alloc.ts (arch_dma_alloc, the global
 * pool, arch_dma_prep_coherent and memset are left out).
 */
import { dmaSetup, initialContext, nonCoherentStrategy, type StateMeta } from './dma-setup.ts';
import { jggBackingStates, jggSource, SET_FLAG_DECRYPTED, jggPoolGateStates } from './jgg-flags-common.ts';

const FN = 'dma_direct_alloc()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'allocSketch') => jggSource(FN, what, msg);

/**
 * The states after the flag is settled, up to the hand-out. `owned`: dma-direct
 * decrypted the memory itself, so an error path re-encrypts it before freeing.
 */
function tailStates(owned: boolean) {
  const v = (base: string) => (owned ? `${base}Owned` : base);
  const onError = owned ? 'outEncryptPages' : 'freePages';
  const whose = owned ? 'dma-direct owns the transition' : 'dma-direct changed nothing';
  return {
    [v('remapSplit')]: {
      meta: { source: src(`if (remap) remap with prot = flag DEC ? pgprot_decrypted(prot) : prot; else ret = page_address(page) (${whose})`) } satisfies StateMeta,
      always: [{ guard: 'remapNeeded', target: v('remapping') }, { target: v('clearing') }],
    },
    [v('remapping')]: {
      meta: { source: src(`ret = dma_common_contiguous_remap(page, size, prot from the flag); NULL -> ${owned ? 'out_encrypt_pages' : 'free the pages'}`), call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: v('clearing') }, REMAP_FAILED: { target: onError } },
    },
    [v('clearing')]: {
      meta: { source: src('memset(ret, 0, size); then set_uncached?') } satisfies StateMeta,
      always: [{ guard: 'setUncachedNeeded', target: v('settingUncached') }, { target: 'returnCpuAddr' }],
    },
    [v('settingUncached')]: {
      meta: { source: src(`ret = arch_dma_set_uncached(ret, size); IS_ERR(ret) -> ${owned ? 'out_encrypt_pages' : 'free the pages'}`), call: 'arch_dma_set_uncached' } satisfies StateMeta,
      on: { SET_UNCACHED_OK: { target: 'returnCpuAddr' }, SET_UNCACHED_FAILED: { target: onError } },
    },
  };
}

export const jggDmaDirectAlloc = dmaSetup.createMachine({
  id: 'dma_direct_alloc',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('entry; NO_KERNEL_MAPPING shortcut when no encryption work is needed: dev_can_dma_from_encrypted(dev) and no restricted pool', 'twoQuestions') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingShortcut', target: 'noMappingBacking' },
        { guard: 'devIsDmaCoherent', target: 'atomicPoolCheck' },
        { target: 'nonCoherent' },
      ],
    },
    ...(jggBackingStates({ prefix: 'noMapping', fn: `${FN} -> dma_direct_alloc_no_mapping()`, onEncrypted: 'returnPageCookie', onDecrypted: 'returnPageCookie', onNoPage: 'returnNull', allowHighmem: true, restrictedPoolBranch: false }) as {}),
    returnPageCookie: {
      type: 'final',
      meta: { source: src('dma_direct_alloc_no_mapping(): *dma_handle from the flag (ENC: phys_to_dma()); return the page as a cookie', 'encodingFromFlag'), returns: 'page_cookie' } satisfies StateMeta,
    },
    nonCoherent: {
      meta: { source: src('!dev_is_dma_coherent(dev): set_uncached = ARCH_HAS_DMA_SET_UNCACHED, remap = DMA_DIRECT_REMAP') } satisfies StateMeta,
      always: nonCoherentStrategy('atomicPoolCheck', 'noNonCoherentStrategy'),
    },
    noNonCoherentStrategy: {
      type: 'final',
      meta: { source: src('!set_uncached && !remap: pr_warn_once(), return NULL'), returns: 'null', warn: 'no way to make a non-coherent buffer' } satisfies StateMeta,
    },
    atomicPoolCheck: {
      meta: { source: src('(remap || !dev_can_dma_from_encrypted(dev)) && dma_direct_use_pool(dev, gfp): a non-blocking allocation that needs a remap or a decryption takes an atomic-pool chunk', 'twoQuestions') } satisfies StateMeta,
      always: [{ guard: 'useAtomicPool', target: 'fromPool' }, { target: 'backing' }],
    },
    ...jggPoolGateStates((what) => src(what)),
    poolAlloc: {
      // The atomic pool is decrypted when it is filled (pool.c), so its flag is DEC.
      meta: { source: src('dma_alloc_from_pool(): flags = DEC (the pool is kept decrypted)', 'flagFromAllocator'), call: 'dma_alloc_from_pool' } satisfies StateMeta,
      on: { POOL_ALLOC_OK: { target: 'returnPoolVaddr', actions: [...SET_FLAG_DECRYPTED] }, POOL_ALLOC_FAILED: { target: 'returnNull' } },
    },
    returnPoolVaddr: {
      type: 'final',
      meta: { source: src('*dma_handle from the flag (DEC: phys_to_dma_unencrypted()); return the pool\'s cpu address', 'encodingFromFlag'), returns: 'pool_vaddr' } satisfies StateMeta,
    },
    ...(jggBackingStates({ prefix: '', fn: FN, onEncrypted: 'gotEncryptedPage', onDecrypted: 'remapSplit', onNoPage: 'returnNull', allowHighmem: 'allowHighmem' }) as {}),
    gotEncryptedPage: {
      meta: { source: src('flags = ENC; PageHighMem(page) forces remap') } satisfies StateMeta,
      always: [
        { guard: 'pageIsHighmem', actions: 'highmemForcesRemap', target: 'transitionCheck' },
        { target: 'transitionCheck' },
      ],
    },
    transitionCheck: {
      meta: { source: src('if (!dev_can_dma_from_encrypted(dev) && !(flags & FLAG_DECRYPTED)): the one device question, right before the flag is set') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', target: 'setMemoryDecrypted' }, { target: 'remapSplit' }],
    },
    setMemoryDecrypted: {
      meta: { source: src('dma_set_decrypted(dev, page_address(page)); flags = FLAG_DECRYPTED, owned_transition = true; failure -> leak the page, return NULL'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: {
        SET_DECRYPTED_OK: { target: 'remapSplitOwned', actions: [...SET_FLAG_DECRYPTED] },
        SET_DECRYPTED_FAILED: { target: 'outLeakPages' },
      },
    },
    ...tailStates(false),
    ...tailStates(true),
    returnCpuAddr: {
      type: 'final',
      meta: { source: src('*dma_handle = flag DEC ? phys_to_dma_unencrypted() : phys_to_dma(); return ret', 'encodingFromFlag'), returns: 'cpu_addr' } satisfies StateMeta,
    },
    outEncryptPages: {
      meta: { source: src('error after an owned transition: set_memory_encrypted(page_address(page)); failure -> leak', 'recoverFlag'), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freePages' }, SET_ENCRYPTED_FAILED: { target: 'leakAfterFailedEncrypt' } },
    },
    freePages: {
      meta: { source: src('__dma_direct_free_pages(dev, page, size): back to the restricted pool or to CMA/buddy'), call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returnNull' } },
    },
    leakAfterFailedEncrypt: {
      type: 'final',
      meta: { source: src('re-encryption failed: return NULL without freeing (leak)'), returns: 'null', leak: true } satisfies StateMeta,
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
