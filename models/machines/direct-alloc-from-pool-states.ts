/**
 * `dma_direct_alloc_from_pool(dev, size, &handle, gfp)` (facts §1.1), as a
 * block of states an entry point splices in. The caller names its final
 * state for the returned value and for NULL; the pool memory was decrypted
 * when the pool was filled (pool.c atomic_pool_expand), so the helper does
 * no encryption work itself.
 */
import { baselineAt, type StateMeta } from './dma-setup.ts';

const FN = 'dma_direct_alloc_from_pool';

export function allocFromPoolStates(returned: string, returnNull: string) {
  return {
    fromPool: {
      meta: { source: baselineAt(174, FN, 'IS_ENABLED(CONFIG_DMA_COHERENT_POOL)?') } satisfies StateMeta,
      always: [{ guard: 'coherentPoolConfigured', target: 'poolAlloc' }, { target: 'noCoherentPool' }],
    },
    noCoherentPool: {
      type: 'final',
      meta: { source: baselineAt(175, FN, 'WARN_ON_ONCE(!CONFIG_DMA_COHERENT_POOL), return NULL'), returns: 'null', warn: 'atomic allocation without CONFIG_DMA_COHERENT_POOL' } satisfies StateMeta,
    },
    poolAlloc: {
      meta: { source: baselineAt(178, FN, 'dma_alloc_from_pool(dev, size, &ret, gfp, dma_coherent_ok) (kernel/dma/pool.c WARNs when no pool can serve it)'), call: 'dma_alloc_from_pool' } satisfies StateMeta,
      on: { POOL_ALLOC_OK: { target: 'poolHandOut' }, POOL_ALLOC_FAILED: { target: returnNull } },
    },
    poolHandOut: {
      meta: { source: baselineAt(181, FN, '*dma_handle = phys_to_dma_direct(dev, page_to_phys(page))') } satisfies StateMeta,
      always: [
        { guard: 'physToDmaUnencrypted', actions: 'usePhysToDmaUnencrypted', target: returned },
        { target: returned },
      ],
    },
  } as const;
}
