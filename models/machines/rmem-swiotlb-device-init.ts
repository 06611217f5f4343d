/**
 * rmem_swiotlb_device_init() — kernel/dma/swiotlb.c before the CC_SHARED
 * series (gregkh/linux 0219b72f), as the probe step of a device with a
 * restricted-dma-pool: the first device to attach sets the region up, later
 * ones take the io_tlb_mem that `rmem->priv` holds. The same in baseline,
 * every v2 patch and the jgg-flags design.
 *
 * Modelled oddity: set_memory_decrypted()'s result is ignored, so after a
 * failure the pool is set up anyway on memory of unknown state, and every
 * device of the region bounces and allocates through it.
 *
 * ABSTRACTION: the kzalloc failures of the io_tlb_mem, slots and areas
 * (swiotlb.c:1840-1856) and the highmem check (1827) are not modelled (they
 * fail the probe without touching the region); two first attaches to one
 * region are not interleaved (the environment holds the second until the
 * first published rmem->priv or gave up), so the race of two concurrent
 * probes is not explored.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const S = (line: number, what: string) => `kernel/dma/swiotlb.c:${line} @0219b72f rmem_swiotlb_device_init(): ${what}`;

export const rmemSwiotlbDeviceInit = dmaSetup.createMachine({
  id: 'rmem_swiotlb_device_init',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: S(1837, 'mem = rmem->priv; if (!mem): the first device to attach sets the region up'), call: 'rmem_priv' } satisfies StateMeta,
      on: { SWIOTLB_POOL_FOUND: { target: 'attached' }, NOT_IN_SWIOTLB_POOL: { target: 'setMemoryDecrypted' } },
    },
    setMemoryDecrypted: {
      meta: { source: S(1858, 'set_memory_decrypted(phys_to_virt(rmem->base), rmem->size >> PAGE_SHIFT) (result ignored)'), call: 'set_memory_decrypted_region' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'addMemPool' }, SET_DECRYPTED_FAILED: { target: 'addMemPool' } },
    },
    addMemPool: {
      meta: { source: S(1860, 'swiotlb_init_io_tlb_pool(); force_bounce = for_alloc = true; add_mem_pool(); rmem->priv = mem'), call: 'add_mem_pool' } satisfies StateMeta,
      on: { POOL_ADDED: { target: 'attached' } },
    },
    attached: {
      type: 'final',
      meta: { source: S(1876, 'dev->dma_io_tlb_mem = mem; return 0'), returns: 'status' } satisfies StateMeta,
    },
  },
});
