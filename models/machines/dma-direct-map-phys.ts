/**
 * dma_direct_map_phys() — kernel/dma/direct.h (facts §1.9), as far as it
 * touches encryption state: a force-bounce device bounces through a slot of
 * its swiotlb (its restricted pool, or the default swiotlb of a CC guest)
 * and gets phys_to_dma_unencrypted() of the slot; otherwise the caller's
 * own buffer is mapped with phys_to_dma().
 *
 * ABSTRACTION: the caller's buffer is ordinary encrypted kernel memory and is
 * not tracked as a page; dma_capable() always holds and
 * dma_kmalloc_needs_bounce() is false (cache-line-aligned or coherent
 * buffers), so the second swiotlb_map() branch of a device that is not
 * force-bounced is dropped; DMA_ATTR_MMIO and DMA_ATTR_REQUIRE_COHERENT are
 * not passed.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const SRC = 'kernel/dma/direct.h dma_direct_map_phys()';

export const dmaDirectMapPhys = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: `${SRC}: if (is_swiotlb_force_bounce(dev)) return swiotlb_map(...)` } satisfies StateMeta,
      always: [{ guard: 'swiotlbForceBounce', target: 'bouncing' }, { target: 'returnDirect' }],
    },
    bouncing: {
      meta: { source: 'kernel/dma/swiotlb.c swiotlb_map(): take a slot, bounce, return phys_to_dma_unencrypted(slot)', call: 'swiotlb_map' } satisfies StateMeta,
      on: { BOUNCE_MAPPED: { target: 'returnBounced' }, BOUNCE_MAP_FAILED: { target: 'returnError' } },
    },
    returnBounced: {
      type: 'final',
      meta: { source: `${SRC}: return the bounce slot's DMA address`, returns: 'bounced_dma_addr' } satisfies StateMeta,
    },
    returnError: {
      type: 'final',
      meta: { source: `${SRC}: return DMA_MAPPING_ERROR`, returns: 'mapping_error' } satisfies StateMeta,
    },
    returnDirect: {
      type: 'final',
      meta: { source: `${SRC}: dma_addr = phys_to_dma(dev, phys); dma_capable() -> return dma_addr`, returns: 'direct_dma_addr' } satisfies StateMeta,
    },
  },
});
