/**
 * dma_direct_unmap_phys() — kernel/dma/direct.h (facts §1.9): release the
 * bounce slot if the address is a swiotlb buffer, otherwise nothing that
 * touches encryption state.
 *
 * ABSTRACTION: cache maintenance and the bounce copy back are dropped.
 */
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';

const H = (line: number, what: string) => `kernel/dma/direct.h:${line} @blob-7140c208 dma_direct_unmap_phys(): ${what}`;

export const dmaDirectUnmapPhys = dmaSetup.createMachine({
  id: 'dma_direct_unmap_phys',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: H(152, 'swiotlb_tbl_unmap_single(dev, phys, ...) [include/linux/swiotlb.h]: if (swiotlb_find_pool(dev, phys))') } satisfies StateMeta,
      always: [{ guard: 'isSwiotlbBuffer', target: 'unbouncing' }, { target: 'returned' }],
    },
    unbouncing: {
      meta: { source: 'kernel/dma/swiotlb.c __swiotlb_tbl_unmap_single(): release the slot', call: 'swiotlb_tbl_unmap_single' } satisfies StateMeta,
      on: { BOUNCE_UNMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: H(154, 'return'), returns: 'void' } satisfies StateMeta,
    },
  },
});
