/**
 * States every dma_direct_free() structure shares (facts §1.4); the
 * structures differ only in where vunmap() leads.
 */
import { baselineAt, DMA_SET_ENCRYPTED_WARN, encryptThenFreeStates, type StateMeta } from './dma-setup.ts';

export const FREE_SRC = 'kernel/dma/direct.c dma_direct_free()';

/**
 * The end both frees share (dma_direct_free() and dma_direct_free_pages()):
 * dma_set_encrypted() where dma-direct decrypted the memory, then
 * __dma_direct_free_pages(); a failed re-encryption returns without freeing
 * (the page leaks). `addr` and `page` are the arguments as the function
 * names them.
 */
export function reencryptAndFreeStates(fn: string, lines: { readonly encrypt: number; readonly free: number }, addr: string, page: string) {
  return {
    encrypting: {
      meta: { source: baselineAt(lines.encrypt, fn, `dma_set_encrypted(dev, ${addr}, size) (early return 0 unless the guard holds)`) } satisfies StateMeta,
      always: [{ guard: 'dmaOwnsDecryption', target: 'setMemoryEncrypted' }, { target: 'freePages' }],
    },
    ...encryptThenFreeStates({
      encrypt: baselineAt(lines.encrypt, fn, 'dma_set_encrypted() -> set_memory_encrypted(); failure -> return (leak)'),
      free: baselineAt(lines.free, fn, `__dma_direct_free_pages(dev, ${page}, size)`),
      leaked: baselineAt(lines.encrypt + 1, fn, 're-encryption failed: return without freeing (leak)'),
      returned: baselineAt(lines.free + 1, fn, 'return'),
      leakWarn: DMA_SET_ENCRYPTED_WARN,
    }),
  } as const;
}

export function freeCommonStates() {
  return {
    start: {
      meta: { source: baselineAt(315, 'dma_direct_free', 'entry; NO_KERNEL_MAPPING shortcut test (must mirror the alloc)') } satisfies StateMeta,
      always: [
        { guard: 'noKernelMappingShortcut', target: 'freeCookie' },
        { guard: 'coherentPoolConfigured', target: 'freeToPool' },
        { target: 'vmallocCheck' },
      ],
    },
    freeCookie: {
      meta: { source: baselineAt(318, 'dma_direct_free', 'NO_KERNEL_MAPPING: dma_free_contiguous(dev, cpu_addr /* page */, size)'), call: 'dma_free_contiguous' } satisfies StateMeta,
      on: { CMA_RELEASED: { target: 'returned' } },
    },
    freeToPool: {
      meta: { source: baselineAt(338, 'dma_direct_free', 'dma_free_from_pool(dev, cpu_addr, PAGE_ALIGN(size)) (gen_pool lookup by virtual address)'), call: 'dma_free_from_pool', arg: 'cpu_addr' } satisfies StateMeta,
      on: { POOL_FREED: { target: 'returned' }, NOT_IN_POOL: { target: 'vmallocCheck' } },
    },
    vmallocCheck: {
      meta: { source: baselineAt(341, 'dma_direct_free', 'if (is_vmalloc_addr(cpu_addr))') } satisfies StateMeta,
      always: [
        { guard: 'cpuAddrIsVmalloc', target: 'vunmapping' },
        { guard: 'clearUncachedConfigured', target: 'clearingUncached' },
        { target: 'encrypting' },
      ],
    },
    clearingUncached: {
      meta: { source: baselineAt(345, 'dma_direct_free', 'arch_dma_clear_uncached(cpu_addr, size)'), call: 'arch_dma_clear_uncached' } satisfies StateMeta,
      on: { UNCACHED_CLEARED: { target: 'encrypting' } },
    },
    ...reencryptAndFreeStates('dma_direct_free', { encrypt: 346, free: 350 }, "cpu_addr (vaddr in p3's vmalloc branch)", 'dma_direct_to_page(dev, dma_addr)'),
  } as const;
}
