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

/** baseline kernel/dma/direct.h, as the blob the CC_SHARED series applies to (7140c208; Jiri Pirko's DMA_ATTR_CC_SHARED included) */
const H = (line: number, what: string) => `kernel/dma/direct.h:${line} @blob-7140c208 dma_direct_map_phys(): ${what}`;

export const dmaDirectMapPhys = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: H(91, 'if (is_swiotlb_force_bounce(dev)) return swiotlb_map(...) (attrs carry no DMA_ATTR_CC_SHARED)') } satisfies StateMeta,
      always: [{ guard: 'swiotlbForceBounce', target: 'bouncing' }, { target: 'returnDirect' }],
    },
    bouncing: {
      meta: { source: 'kernel/dma/swiotlb.c swiotlb_map(): take a slot, bounce, return phys_to_dma_unencrypted(slot)', call: 'swiotlb_map' } satisfies StateMeta,
      on: { BOUNCE_MAPPED: { target: 'returnBounced' }, BOUNCE_MAP_FAILED: { target: 'returnError' } },
    },
    returnBounced: {
      type: 'final',
      meta: { source: H(96, "return the bounce slot's DMA address"), returns: 'bounced_dma_addr' } satisfies StateMeta,
    },
    returnError: {
      type: 'final',
      meta: { source: H(96, 'return DMA_MAPPING_ERROR (swiotlb_map failed)'), returns: 'mapping_error' } satisfies StateMeta,
    },
    returnDirect: {
      type: 'final',
      meta: { source: H(111, 'dma_addr = phys_to_dma(dev, phys); dma_capable() -> return dma_addr'), returns: 'direct_dma_addr' } satisfies StateMeta,
    },
  },
});
