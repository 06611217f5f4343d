/**
 * rmem_swiotlb_device_init() — kernel/dma/swiotlb.c at v7.3 (04a19b35), as
 * the probe step of a device with a restricted-dma-pool. Where
 * cc_platform_has(CC_ATTR_MEM_ENCRYPT) the region is decrypted and the
 * io_tlb_mem is `cc_shared`; a failed set_memory_decrypted() frees the
 * io_tlb_mem and returns the error, so the device has no restricted pool
 * (drivers/of/device.c of_dma_set_restricted_buffer() only dev_warn()s and
 * the device probes on with the default io_tlb_mem, so dma-direct treats it
 * as a device without one: R is false) and
 * `rmem->priv` stays NULL: the next device to attach decrypts the region
 * again, now in an unknown state.
 *
 * ABSTRACTION: as in the baseline machine (models/machines/rmem-swiotlb-device-init.ts):
 * no kzalloc failures, no highmem check, first attaches not interleaved.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const S = (line: number, what: string) => `kernel/dma/swiotlb.c:${line} @04a19b35 rmem_swiotlb_device_init(): ${what}`;

export const v73RmemSwiotlbDeviceInit = dmaSetup.createMachine({
  id: 'rmem_swiotlb_device_init',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: S(1975, 'mem = rmem->priv; if (!mem): the first device to attach sets the region up'), call: 'rmem_priv' } satisfies StateMeta,
      on: { SWIOTLB_POOL_FOUND: { target: 'attached' }, NOT_IN_SWIOTLB_POOL: { target: 'checkingMemEncrypt' } },
    },
    checkingMemEncrypt: {
      meta: { source: S(1999, 'if (cc_platform_has(CC_ATTR_MEM_ENCRYPT)): mem->cc_shared = true, else false (2013)') } satisfies StateMeta,
      always: [{ guard: 'ccPlatformHasMemEncrypt', target: 'setMemoryDecrypted' }, { target: 'addMemPool' }],
    },
    setMemoryDecrypted: {
      meta: { source: S(2003, 'ret = set_memory_decrypted(phys_to_virt(rmem->base), rmem->size >> PAGE_SHIFT)'), call: 'set_memory_decrypted_region' } satisfies StateMeta,
      on: { SET_DECRYPTED_OK: { target: 'addMemPool' }, SET_DECRYPTED_FAILED: { target: 'failed' } },
    },
    addMemPool: {
      meta: { source: S(2016, 'swiotlb_init_io_tlb_pool(); force_bounce = for_alloc = true; add_mem_pool(); rmem->priv = mem'), call: 'add_mem_pool' } satisfies StateMeta,
      on: { POOL_ADDED: { target: 'attached' } },
    },
    attached: {
      type: 'final',
      meta: { source: S(2031, 'dev->dma_io_tlb_mem = mem; return 0'), returns: 'status' } satisfies StateMeta,
    },
    failed: {
      type: 'final',
      meta: { source: S(2006, 'dev_err("Failed to decrypt restricted DMA pool"); kfree areas, slots, mem; return ret (rmem->priv stays NULL)'), returns: 'setup_error', warn: 'dev_err: Failed to decrypt restricted DMA pool' } satisfies StateMeta,
    },
  },
});
