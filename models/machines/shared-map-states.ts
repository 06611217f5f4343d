/**
 * The direct map of a buffer the caller shared itself (DMA_ATTR_CC_SHARED),
 * as every version that maps one without a bounce has it: the address is
 * phys_to_dma_unencrypted() of the caller's buffer, and dma_capable() holds
 * (ABSTRACTION: the buffer lies below the device's mask). `text` gives each
 * state's source.
 */
import type { StateMeta } from './dma-setup.ts';

export function sharedMapStates(text: { readonly encode: string; readonly returned: string }) {
  return {
    mappingShared: {
      meta: { source: text.encode } satisfies StateMeta,
      always: [{ actions: 'usePhysToDmaUnencrypted', target: 'returnShared' }],
    },
    returnShared: {
      type: 'final',
      meta: { source: text.returned, returns: 'shared_dma_addr' } satisfies StateMeta,
    },
  } as const;
}
