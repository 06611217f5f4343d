/**
 * dma_direct_map_phys() — kernel/dma/direct.c:667-722 at v7.3 (63e62b63;
 * facts §8; the function moved here from direct.h). As far as it touches
 * encryption state: a force-bounce device bounces through a slot of its
 * swiotlb pool, whose DMA address follows the pool's cc_shared; otherwise
 * the caller's buffer is mapped with the encoding `attrs` asks for.
 *
 * ABSTRACTION: the driver programs pass no attrs (DMA_ATTR_MMIO,
 * DMA_ATTR_CC_SHARED and DMA_ATTR_REQUIRE_COHERENT are not set), so the MMIO
 * branches (lines 673-679, 693-697) are dropped and the direct address is
 * phys_to_dma_encrypted(); the caller's buffer is ordinary encrypted kernel
 * memory, not tracked as a page; err_overflow is dropped.
 * ABSTRACTION: v7.3 has no SWIOTLB_FORCE for CC guests: a
 * force_dma_unencrypted() device without a restricted pool is not
 * force-bounced but reaches swiotlb_map() at line 703, because the
 * attrs-aware dma_capable() refuses it the encrypted address; the model
 * sends it to the same `bouncing` state from the first test (its input
 * `forceBounce` holds for such devices), which gives the same calls and
 * DMA address. For every other device dma_capable() holds and
 * dma_kmalloc_needs_bounce() is false.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { swiotlbMapStates } from './swiotlb-map-states.ts';
import { at } from './v73-common.ts';

const FN = 'dma_direct_map_phys';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectMapPhys = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: L(681, 'if (is_swiotlb_force_bounce(dev)) return swiotlb_map(dev, phys, size, dir, attrs)') } satisfies StateMeta,
      always: [{ guard: 'swiotlbForceBounce', target: 'bouncing' }, { target: 'returnDirect' }],
    },
    ...swiotlbMapStates({
      map: L(685, 'swiotlb_map(): take a slot of the device\'s pool, bounce, return its DMA address (encoding from the pool\'s cc_shared)'),
      bounced: L(685, "return the bounce slot's DMA address"),
      error: L(685, 'return DMA_MAPPING_ERROR (swiotlb_map failed)'),
    }),
    returnDirect: {
      type: 'final',
      meta: { source: L(691, 'dma_addr = phys_to_dma_encrypted(dev, phys); dma_capable() -> return dma_addr'), returns: 'direct_dma_addr' } satisfies StateMeta,
    },
  },
});
