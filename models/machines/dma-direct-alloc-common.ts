/**
 * States that every dma_direct_alloc() structure shares: the entry
 * decisions up to __dma_direct_alloc_pages(), the atomic-pool diversion,
 * the NO_KERNEL_MAPPING hand-out, the tail after the page is mapped
 * (memset, set_uncached, handle) and the plain returns.
 */
import { baselineAt, nonCoherentStrategy, type StateMeta } from './dma-setup.ts';
import { allocPagesEntry } from './direct-alloc-pages-states.ts';
import { allocFromPoolStates } from './direct-alloc-from-pool-states.ts';

export const SRC = 'kernel/dma/direct.c dma_direct_alloc()';

export function allocEpilogueStates() {
  return {
    start: {
      meta: { source: baselineAt(214, 'dma_direct_alloc', 'entry; size = PAGE_ALIGN(size); NO_KERNEL_MAPPING shortcut test') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingShortcut', target: allocPagesEntry('noMapping') },
        { guard: 'devIsDmaCoherent', target: 'atomicPoolCheck' },
        { target: 'nonCoherent' },
      ],
    },
    noMappingHandOut: {
      meta: { source: baselineAt(199, 'dma_direct_alloc_no_mapping', '*dma_handle = phys_to_dma_direct(); return the page as a cookie') } satisfies StateMeta,
      always: [
        { guard: 'physToDmaUnencrypted', actions: 'usePhysToDmaUnencrypted', target: 'returnPageCookie' },
        { target: 'returnPageCookie' },
      ],
    },
    returnPageCookie: {
      type: 'final',
      meta: { source: baselineAt(200, 'dma_direct_alloc_no_mapping', 'return page'), returns: 'page_cookie' } satisfies StateMeta,
    },
    nonCoherent: {
      meta: { source: baselineAt(237, 'dma_direct_alloc', '!dev_is_dma_coherent(dev): set_uncached = ARCH_HAS_DMA_SET_UNCACHED, remap = DMA_DIRECT_REMAP') } satisfies StateMeta,
      always: nonCoherentStrategy('atomicPoolCheck', 'noNonCoherentStrategy'),
    },
    noNonCoherentStrategy: {
      type: 'final',
      meta: { source: baselineAt(240, 'dma_direct_alloc', '!set_uncached && !remap: pr_warn_once(), return NULL'), returns: 'null', warn: 'no way to make a non-coherent buffer' } satisfies StateMeta,
    },
    atomicPoolCheck: {
      meta: { source: baselineAt(249, 'dma_direct_alloc', 'atomic-pool diversion before allocating pages') } satisfies StateMeta,
      always: [{ guard: 'useAtomicPool', target: 'fromPool' }, { target: allocPagesEntry('') }],
    },
    ...allocFromPoolStates('returnPoolVaddr', 'returnNull'),
    returnPoolVaddr: {
      type: 'final',
      meta: { source: baselineAt(182, 'dma_direct_alloc_from_pool', 'return ret (the gen_pool virtual address)'), returns: 'pool_vaddr' } satisfies StateMeta,
    },
    clearing: {
      meta: { source: baselineAt(288, 'dma_direct_alloc', 'memset(ret, 0, size); then set_uncached?') } satisfies StateMeta,
      always: [{ guard: 'setUncachedNeeded', target: 'settingUncached' }, { target: 'handOut' }],
    },
    settingUncached: {
      meta: { source: baselineAt(292, 'dma_direct_alloc', 'ret = arch_dma_set_uncached(ret, size); IS_ERR(ret) -> goto out_encrypt_pages'), call: 'arch_dma_set_uncached' } satisfies StateMeta,
      on: { SET_UNCACHED_OK: { target: 'handOut' }, SET_UNCACHED_FAILED: { target: 'outEncryptPages' } },
    },
    handOut: {
      meta: { source: baselineAt(297, 'dma_direct_alloc', '*dma_handle = phys_to_dma_direct(dev, page_to_phys(page))') } satisfies StateMeta,
      always: [
        { guard: 'physToDmaUnencrypted', actions: 'usePhysToDmaUnencrypted', target: 'returnCpuAddr' },
        { target: 'returnCpuAddr' },
      ],
    },
    returnCpuAddr: {
      type: 'final',
      meta: { source: baselineAt(298, 'dma_direct_alloc', 'return ret'), returns: 'cpu_addr' } satisfies StateMeta,
    },
    outLeakPages: {
      type: 'final',
      meta: { source: baselineAt(307, 'dma_direct_alloc', 'out_leak_pages: return NULL; the page is never freed'), returns: 'null', leak: true } satisfies StateMeta,
    },
    returnNull: {
      type: 'final',
      meta: { source: baselineAt(256, 'dma_direct_alloc', 'return NULL'), returns: 'null' } satisfies StateMeta,
    },
  } as const;
}
