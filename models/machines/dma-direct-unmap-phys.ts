/**
 * dma_direct_unmap_phys() — kernel/dma/direct.h (facts §1.9): release the
 * bounce slot if the address is a swiotlb buffer, otherwise nothing that
 * touches encryption state.
 *
 * ABSTRACTION: cache maintenance and the bounce copy back are dropped.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const SRC = 'kernel/dma/direct.h dma_direct_unmap_phys()';

export const dmaDirectUnmapPhys = dmaSetup.createMachine({
  id: 'dma_direct_unmap_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: `${SRC}: swiotlb_tbl_unmap_single(dev, phys, ...) [include/linux/swiotlb.h]: if (swiotlb_find_pool(dev, phys))` } satisfies StateMeta,
      always: [{ guard: 'isSwiotlbBuffer', target: 'unbouncing' }, { target: 'returned' }],
    },
    unbouncing: {
      meta: { source: 'kernel/dma/swiotlb.c __swiotlb_tbl_unmap_single(): release the slot', call: 'swiotlb_tbl_unmap_single' } satisfies StateMeta,
      on: { BOUNCE_UNMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: `${SRC}: return`, returns: 'void' } satisfies StateMeta,
    },
  },
});
