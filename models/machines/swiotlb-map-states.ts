/**
 * The bounce of a streaming map, as every version's dma_direct_map_phys()
 * machine has it: swiotlb_map() takes a slot (the environment gives it the
 * DMA address of its pool's kind) or fails, and the map returns the slot's
 * DMA address or DMA_MAPPING_ERROR. `text` gives each state's source.
 */
import type { StateMeta } from './dma-setup.ts';

export function swiotlbMapStates(text: { readonly map: string; readonly bounced: string; readonly error: string }) {
  return {
    bouncing: {
      meta: { source: text.map, call: 'swiotlb_map' } satisfies StateMeta,
      on: { BOUNCE_MAPPED: { target: 'returnBounced' }, BOUNCE_MAP_FAILED: { target: 'returnError' } },
    },
    returnBounced: {
      type: 'final',
      meta: { source: text.bounced, returns: 'bounced_dma_addr' } satisfies StateMeta,
    },
    returnError: {
      type: 'final',
      meta: { source: text.error, returns: 'mapping_error' } satisfies StateMeta,
    },
  } as const;
}
