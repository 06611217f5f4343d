/**
 * dma_direct_map_phys() called with DMA_ATTR_CC_SHARED — kernel/dma/direct.c
 * at v7.3 (63e62b63, lines 667-722): the caller already shared the buffer
 * (e.g. the dma-buf system_cc_shared heap). A force-bounced device bounces
 * as any other mapping: swiotlb_tbl_map_single() refuses a pool of the wrong
 * kind and overrides the attr to the pool's cc_shared (swiotlb.c:1518-1539
 * @04a19b35), so the slot's DMA address follows the pool. Otherwise the
 * address is phys_to_dma_unencrypted() of the caller's buffer, and the
 * attrs-aware dma_capable() accepts it (it refuses only an encrypted
 * address for a force_dma_unencrypted() device).
 *
 * ABSTRACTION: is_swiotlb_force_bounce(dev) is a restricted pool's
 * (rmem_swiotlb_device_init() sets mem->force_bounce, swiotlb.c:2018
 * @04a19b35); `swiotlb=force` is not modelled, and v7.3 has no
 * SWIOTLB_FORCE for CC guests. dma_capable() holds and
 * dma_kmalloc_needs_bounce() is false (so the second swiotlb_map() at line
 * 703 is not reached); DMA_ATTR_MMIO and DMA_ATTR_REQUIRE_COHERENT are not
 * passed; err_overflow and the cache maintenance are dropped.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { sharedMapStates } from './shared-map-states.ts';
import { swiotlbMapStates } from './swiotlb-map-states.ts';
import { at } from './v73-common.ts';

const FN = 'dma_direct_map_phys';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectMapPhysShared = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: L(681, 'if (is_swiotlb_force_bounce(dev)) return swiotlb_map(dev, phys, size, dir, attrs): a restricted pool bounces even a shared buffer') } satisfies StateMeta,
      always: [{ guard: 'isSwiotlbForAlloc', target: 'bouncing' }, { target: 'mappingShared' }],
    },
    ...swiotlbMapStates({
      map: L(685, "swiotlb_map(): take a slot of the device's pool, bounce; swiotlb_tbl_map_single() sets DMA_ATTR_CC_SHARED to the pool's cc_shared"),
      bounced: L(685, "return the bounce slot's DMA address"),
      error: L(685, 'return DMA_MAPPING_ERROR (swiotlb_map failed)'),
    }),
    ...sharedMapStates({
      encode: L(689, 'if (attrs & DMA_ATTR_CC_SHARED) dma_addr = phys_to_dma_unencrypted(dev, phys)'),
      returned: L(714, "dma_capable(dev, dma_addr, size, true, attrs) holds for a DMA_ATTR_CC_SHARED address: return the caller's buffer's DMA address"),
    }),
  },
});
