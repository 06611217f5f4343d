/**
 * dma_set_coherent_mask() — kernel/dma/mapping.c, as a driver step between
 * two DMA API calls (facts §8, "things the driver can do that change F").
 * On an SME host force_dma_unencrypted(dev) is true exactly when the
 * device's coherent DMA mask cannot reach the C-bit, so a driver that
 * changes its mask between an allocation and its free changes what the free
 * computes. The step moves the mask to the other side of the `mask` knob
 * (and back, the second time); the same in every version.
 *
 * ABSTRACTION: dma_supported() accepts both masks and the call returns 0;
 * the device's streaming mask is left alone.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const SRC = 'kernel/dma/mapping.c dma_set_coherent_mask()';

export const dmaSetCoherentMask = dmaSetup.createMachine({
  id: 'dma_set_coherent_mask',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: `${SRC}: dev->coherent_dma_mask = mask (across the C-bit)`, call: 'dma_set_coherent_mask' } satisfies StateMeta,
      on: { MASK_SET: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: `${SRC}: return 0 (the driver keeps its buffer)`, returns: 'status' } satisfies StateMeta,
    },
  },
});
