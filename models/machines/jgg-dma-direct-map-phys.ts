/**
 * dma_direct_map_phys() in the `jgg-flags` design (facts §3 "streaming";
 * Jason Gunthorpe's restricted flow in his reply to 4/5): the caller's
 * phys arrives ENC; if the device cannot DMA from encrypted memory it
 * goes to swiotlb, which returns (tlb_phys, flag = the pool's state, DEC),
 * and the DEC phys gets phys_to_dma_unencrypted() without a second device
 * check. A device behind a restricted-dma-pool also bounces: it can reach
 * only its pool, which is an isolation rule, not an encryption question.
 *
 * ABSTRACTION: as in dma-direct-map-phys.ts (the caller's buffer is
 * ordinary encrypted kernel memory and is not tracked; dma_capable()
 * holds; no DMA_ATTR_MMIO / REQUIRE_COHERENT). Every modelled platform on
 * which a device cannot DMA from encrypted memory boots with
 * SWIOTLB_FORCE, so this decides exactly as is_swiotlb_force_bounce().
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggBounceStates, jggSource } from './jgg-flags-common.ts';

const FN = 'dma_direct_map_phys()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'twoQuestions') => jggSource(FN, what, msg);

export const jggDmaDirectMapPhys = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('phys arrives with flag ENC: bounce if the device is behind a restricted pool, or if !dev_can_dma_from_encrypted(dev)') } satisfies StateMeta,
      always: [
        { guard: 'isSwiotlbForAlloc', target: 'bouncing' },
        { guard: 'forceDmaUnencrypted', target: 'bouncing' },
        { target: 'returnDirect' },
      ],
    },
    ...jggBounceStates(),
    returnDirect: {
      type: 'final',
      meta: { source: src('flag ENC and the device can DMA from encrypted memory: return phys_to_dma(dev, phys)', 'encodingFromFlag'), returns: 'direct_dma_addr' } satisfies StateMeta,
    },
  },
});
