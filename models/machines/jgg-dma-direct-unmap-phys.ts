/**
 * dma_direct_unmap_phys() in the `jgg-flags` design: the design does not
 * change it. A bounce slot (found by its phys: swiotlb_find_pool()) goes
 * back to its pool with its flag; the caller's own buffer needs nothing.
 *
 * ABSTRACTION: cache maintenance and the bounce copy back are left out,
 * as in dma-direct-unmap-phys.ts.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { jggSource } from './jgg-flags-common.ts';

const FN = 'dma_direct_unmap_phys()';
const src = (what: string) => jggSource(FN, what, 'twoQuestions');

export const jggDmaDirectUnmapPhys = dmaSetup.createMachine({
  id: 'dma_direct_unmap_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: src('swiotlb_tbl_unmap_single(): if (swiotlb_find_pool(dev, phys)) release the bounce slot') } satisfies StateMeta,
      always: [{ guard: 'isSwiotlbBuffer', target: 'unbouncing' }, { target: 'returned' }],
    },
    unbouncing: {
      meta: { source: src('__swiotlb_tbl_unmap_single(): the slot goes back to its pool (flag DEC)'), call: 'swiotlb_tbl_unmap_single' } satisfies StateMeta,
      on: { BOUNCE_UNMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: src('return'), returns: 'void' } satisfies StateMeta,
    },
  },
});
