/**
 * dma_direct_map_phys() of a caller-shared buffer (DMA_ATTR_CC_SHARED) in
 * the `jgg-flags` design (facts §3): the attr is the phys's flag, DEC, set
 * by the allocator that shared it (the dma-buf heap). A device behind a
 * restricted-dma-pool bounces (it can reach only its pool: an isolation
 * rule, not an encryption question) and the slot comes back with its own
 * flag; otherwise the encoding is the pure function of the flag,
 * phys_to_dma_unencrypted(), with no device question: every device can DMA
 * from decrypted memory.
 *
 * ABSTRACTION: as in jgg-dma-direct-map-phys.ts (dma_capable() holds; no
 * DMA_ATTR_MMIO / REQUIRE_COHERENT). The design's messages do not discuss a
 * caller-shared phys; this is the flag rule applied to it.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggBounceStates, jggSource } from './jgg-flags-common.ts';
import { sharedMapStates } from './shared-map-states.ts';

const FN = 'dma_direct_map_phys()';
const src = (what: string, msg: Parameters<typeof jggSource>[2] = 'twoQuestions') => jggSource(FN, what, msg);

export const jggDmaDirectMapPhysShared = dmaSetup.createMachine({
  id: 'dma_direct_map_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('phys arrives with flag DEC (the caller shared it): bounce only if the device is behind a restricted pool') } satisfies StateMeta,
      always: [{ guard: 'isSwiotlbForAlloc', target: 'bouncing' }, { target: 'mappingShared' }],
    },
    ...jggBounceStates(),
    ...sharedMapStates({
      encode: src('flag DEC: dma_addr = phys_to_dma_unencrypted(dev, phys)', 'encodingFromFlag'),
      returned: src("return the caller's buffer's DMA address (flag DEC)", 'encodingFromFlag'),
    }),
  },
});
