/**
 * dma_direct_map_phys() called with DMA_ATTR_CC_SHARED — kernel/dma/direct.h
 * as the blob the CC_SHARED series applies to (7140c208; Jiri Pirko's
 * "dma-mapping: introduce DMA_ATTR_CC_SHARED for shared memory" included):
 * the caller promises that it already shared (decrypted) the buffer, e.g. a
 * buffer of the dma-buf system_cc_shared heap. A force-bounced device skips
 * the bounce and gets phys_to_dma_unencrypted() of the caller's buffer; a
 * device that is not force-bounced is refused (DMA_MAPPING_ERROR).
 *
 * ABSTRACTION: dma_capable() holds (the buffer lies below the device's
 * mask), so err_overflow is dropped; DMA_ATTR_MMIO and
 * DMA_ATTR_REQUIRE_COHERENT are not passed with the shared attr; the cache
 * maintenance of a non-coherent device (lines 122-127) touches no
 * encryption state.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { sharedMapStates } from './shared-map-states.ts';

const H = (line: number, what: string) => `kernel/dma/direct.h:${line} @blob-7140c208 dma_direct_map_phys(): ${what}`;

export const dmaDirectMapPhysShared = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: H(91, 'if (is_swiotlb_force_bounce(dev)) { if (!(attrs & DMA_ATTR_CC_SHARED)) ... } else if (attrs & DMA_ATTR_CC_SHARED): the caller passed DMA_ATTR_CC_SHARED') } satisfies StateMeta,
      always: [{ guard: 'swiotlbForceBounce', target: 'mappingShared' }, { target: 'refuseUnbounced' }],
    },
    refuseUnbounced: {
      type: 'final',
      meta: { source: H(99, 'return DMA_MAPPING_ERROR (DMA_ATTR_CC_SHARED for a device that is not force-bounced)'), returns: 'mapping_error' } satisfies StateMeta,
    },
    ...sharedMapStates({
      encode: H(107, 'else if (attrs & DMA_ATTR_CC_SHARED) dma_addr = phys_to_dma_unencrypted(dev, phys): no bounce'),
      returned: H(128, "dma_capable(dev, dma_addr, size, false) holds: return the caller's buffer's DMA address"),
    }),
  },
});
