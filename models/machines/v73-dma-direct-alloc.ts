/**
 * dma_direct_alloc() — kernel/dma/direct.c:202-357 at v7.3 (63e62b63, the
 * merged CC_SHARED series; facts §8).
 *
 * What changed from baseline: the device question is asked once, at entry
 * (`attrs |= __DMA_ATTR_ALLOC_CC_SHARED` when force_dma_unencrypted(dev)),
 * and everything after follows the attr: no highmem, `mark_mem_decrypt`,
 * the NO_KERNEL_MAPPING shortcut only for unshared allocations, the
 * atomic-pool diversion, the remap prot (dma_pgprot() gives pgprot_decrypted
 * for a shared attr, pgprot_encrypted otherwise) and the DMA address
 * encoding. A restricted-pool device takes a slot first (swiotlb_alloc()
 * with the attrs: NULL when the pool's cc_shared differs) and skips the
 * decrypt; the linear alias is decrypted before the remap split, so the
 * remap path is covered; a failed vmap re-encrypts and frees; a failed
 * set_uncached first removes the remap (out_free_remap_pages).
 *
 * ABSTRACTION: CONFIG_ARCH_HAS_DMA_ALLOC (arch_dma_alloc) and
 * CONFIG_DMA_GLOBAL_POOL (lines 234-245) hand the allocation to arch code
 * with no encryption logic; no modelled platform selects them.
 * ABSTRACTION: dma_direct_alloc_swiotlb() keeps the slot: dma_coherent_ok()
 * holds for every page (its swiotlb_free() at line 110 is dropped).
 * ABSTRACTION: arch_dma_prep_coherent(), memset() and DMA_ATTR_NO_WARN have
 * no effect on encryption state and are folded into neighbouring states.
 */
import { DMA_SET_ENCRYPTED_WARN, dmaSetup, initialContext, nonCoherentStrategy, type StateMeta } from './dma-setup.ts';
import { allocPagesEntry } from './direct-alloc-pages-states.ts';
import { at, ccSharedPrologue, v73AllocFromPoolStates, v73DirectAllocPagesStates } from './v73-common.ts';

const FN = 'dma_direct_alloc';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectAlloc = dmaSetup.createMachine({
  id: 'dma_direct_alloc',
  initial: 'start',
  context: initialContext,
  states: {
    ...ccSharedPrologue(211, FN, 'sharedAttr'),
    sharedAttr: {
      meta: { source: L(214, 'if (attrs & __DMA_ATTR_ALLOC_CC_SHARED) { allow_highmem = false; mark_mem_decrypt = true; }') } satisfies StateMeta,
      always: [{ guard: 'ccShared', actions: 'setMarkMem', target: 'noKernelMappingCheck' }, { target: 'noKernelMappingCheck' }],
    },
    noKernelMappingCheck: {
      meta: { source: L(229, '(attrs & (NO_KERNEL_MAPPING | __DMA_ATTR_ALLOC_CC_SHARED)) == NO_KERNEL_MAPPING && !is_swiotlb_for_alloc(dev) -> dma_direct_alloc_no_mapping()') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingUnshared', target: allocPagesEntry('noMapping') },
        { guard: 'devIsDmaCoherent', target: 'atomicPoolCheck' },
        { target: 'nonCoherent' },
      ],
    },
    // dma_direct_alloc_no_mapping() (lines 182-200): __dma_direct_alloc_pages(..., true), encrypted handle, the page as cookie.
    ...(v73DirectAllocPagesStates('noMapping', 'noMappingHandOut', 'returnNull', true) as {}),
    noMappingHandOut: {
      meta: { source: at(198, 'dma_direct_alloc_no_mapping', '*dma_handle = phys_to_dma_encrypted(dev, page_to_phys(page))') } satisfies StateMeta,
      always: [{ target: 'returnPageCookie' }],
    },
    returnPageCookie: {
      type: 'final',
      meta: { source: at(199, 'dma_direct_alloc_no_mapping', 'return page (the opaque cookie)'), returns: 'page_cookie' } satisfies StateMeta,
    },
    nonCoherent: {
      meta: { source: L(252, '!dev_is_dma_coherent(dev): set_uncached = ARCH_HAS_DMA_SET_UNCACHED; remap = DMA_DIRECT_REMAP') } satisfies StateMeta,
      always: nonCoherentStrategy('atomicPoolCheck', 'noNonCoherentStrategy'),
    },
    noNonCoherentStrategy: {
      type: 'final',
      meta: { source: L(255, '!set_uncached && !remap: pr_warn_once(), return NULL'), returns: 'null', warn: 'coherent DMA allocations not supported on this platform' } satisfies StateMeta,
    },
    atomicPoolCheck: {
      meta: { source: L(267, 'if ((remap || (attrs & __DMA_ATTR_ALLOC_CC_SHARED)) && dma_direct_use_pool(dev, gfp)); else if (is_swiotlb_for_alloc(dev))') } satisfies StateMeta,
      always: [
        { guard: 'useAtomicPoolShared', target: 'fromPool' },
        { guard: 'isSwiotlbForAlloc', target: 'swiotlbAlloc' },
        { target: allocPagesEntry('') },
      ],
    },
    ...v73AllocFromPoolStates('returnPoolCpuAddr', 'returnNull'),
    returnPoolCpuAddr: {
      type: 'final',
      meta: { source: L(272, 'return page ? cpu_addr : NULL (the gen_pool virtual address)'), returns: 'pool_vaddr' } satisfies StateMeta,
    },
    swiotlbAlloc: {
      meta: { source: L(276, 'page = dma_direct_alloc_swiotlb(dev, size, attrs) -> swiotlb_alloc(dev, size, attrs); NULL -> return NULL'), call: 'swiotlb_alloc' } satisfies StateMeta,
      on: { SWIOTLB_ALLOC_OK: { target: 'setupPage', actions: 'clearMarkMem' }, SWIOTLB_ALLOC_FAILED: { target: 'returnNull' } },
    },
    ...(v73DirectAllocPagesStates('', 'setupPage', 'returnNull', 'allowHighmemUnshared') as {}),
    setupPage: {
      meta: { source: L(299, 'setup_page: if (PageHighMem(page)) { remap = true; set_uncached = false; }') } satisfies StateMeta,
      always: [
        { guard: 'pageIsHighmem', actions: 'highmemForcesRemap', target: 'decryptCheck' },
        { target: 'decryptCheck' },
      ],
    },
    decryptCheck: {
      meta: { source: L(304, 'if (mark_mem_decrypt)') } satisfies StateMeta,
      always: [{ guard: 'markMem', target: 'setMemoryDecrypted' }, { target: 'remapSplit' }],
    },
    setMemoryDecrypted: {
      meta: { source: L(308, 'set_memory_decrypted(page_address(page), PFN_UP(size)); failure -> goto out_leak_pages'), call: 'set_memory_decrypted' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'remapSplit' }, SET_DECRYPTED_FAILED: { target: 'outLeakPages' } },
    },
    remapSplit: {
      meta: { source: L(312, 'if (remap) { ... } else cpu_addr = page_address(page)') } satisfies StateMeta,
      always: [{ guard: 'remapNeeded', target: 'remapProt' }, { target: 'clearing' }],
    },
    remapProt: {
      meta: { source: L(313, 'prot = dma_pgprot(dev, PAGE_KERNEL, attrs): pgprot_decrypted() for a shared attr, else pgprot_encrypted()') } satisfies StateMeta,
      always: [
        { guard: 'ccShared', actions: 'usePgprotDecrypted', target: 'remapping' },
        { target: 'remapping' },
      ],
    },
    remapping: {
      meta: { source: L(319, 'cpu_addr = dma_common_contiguous_remap(page, size, prot, ...); NULL -> goto out_encrypt_pages'), call: 'dma_common_contiguous_remap' } satisfies StateMeta,
      on: { REMAP_OK: { target: 'clearing' }, REMAP_FAILED: { target: 'outEncryptPages' } },
    },
    clearing: {
      meta: { source: L(327, 'memset(cpu_addr, 0, size); if (set_uncached)') } satisfies StateMeta,
      always: [{ guard: 'setUncachedNeeded', target: 'settingUncached' }, { target: 'handOut' }],
    },
    settingUncached: {
      meta: { source: L(333, 'uncached_cpu_addr = arch_dma_set_uncached(cpu_addr, size); IS_ERR -> goto out_free_remap_pages'), call: 'arch_dma_set_uncached' } satisfies StateMeta,
      on: { SET_UNCACHED_OK: { target: 'handOut' }, SET_UNCACHED_FAILED: { target: 'outFreeRemapPages' } },
    },
    handOut: {
      meta: { source: L(339, '*dma_handle = phys_to_dma_direct(dev, page_to_phys(page), attrs & __DMA_ATTR_ALLOC_CC_SHARED)') } satisfies StateMeta,
      always: [
        { guard: 'ccShared', actions: 'usePhysToDmaUnencrypted', target: 'returnCpuAddr' },
        { target: 'returnCpuAddr' },
      ],
    },
    returnCpuAddr: {
      type: 'final',
      meta: { source: L(341, 'return cpu_addr'), returns: 'cpu_addr' } satisfies StateMeta,
    },
    outFreeRemapPages: {
      meta: { source: L(344, 'out_free_remap_pages: if (remap)') } satisfies StateMeta,
      always: [{ guard: 'remapNeeded', target: 'freeingRemap' }, { target: 'outEncryptPages' }],
    },
    freeingRemap: {
      meta: { source: L(345, 'dma_common_free_remap(cpu_addr, size) (vunmap)'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'outEncryptPages' } },
    },
    outEncryptPages: {
      meta: { source: L(348, 'out_encrypt_pages: if (mark_mem_decrypt && dma_set_encrypted(dev, page_address(page), size))') } satisfies StateMeta,
      always: [{ guard: 'markMem', target: 'setMemoryEncrypted' }, { target: 'freePages' }],
    },
    setMemoryEncrypted: {
      meta: { source: L(349, 'dma_set_encrypted() -> set_memory_encrypted(); failure -> goto out_leak_pages'), call: 'set_memory_encrypted' } satisfies StateMeta,
      on: { SET_ENCRYPTED_OK: { target: 'freePages' }, SET_ENCRYPTED_FAILED: { target: 'leakAfterFailedEncrypt' } },
    },
    freePages: {
      meta: { source: L(352, 'if (!swiotlb_free(dev, page, size)) dma_free_contiguous(dev, page, size)'), call: '__dma_direct_free_pages' } satisfies StateMeta,
      on: { PAGES_FREED: { target: 'returnNull' } },
    },
    leakAfterFailedEncrypt: {
      type: 'final',
      meta: { source: L(356, 'out_leak_pages: return NULL after the failed re-encryption; the page is never freed'), returns: 'null', leak: true, warn: DMA_SET_ENCRYPTED_WARN } satisfies StateMeta,
    },
    outLeakPages: {
      type: 'final',
      meta: { source: L(356, 'out_leak_pages: return NULL; the page is never freed'), returns: 'null', leak: true } satisfies StateMeta,
    },
    returnNull: {
      type: 'final',
      meta: { source: L(290, 'return NULL (no page: nothing to undo)'), returns: 'null' } satisfies StateMeta,
    },
  },
});
