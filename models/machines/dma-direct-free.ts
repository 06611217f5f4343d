/**
 * dma_direct_free() — kernel/dma/direct.c, BASELINE structure (facts §1.4).
 * Used by baseline, v2-p1 and v2-p2.
 *
 * ABSTRACTION: step 2 (arch_dma_free) and step 3 (global coherent pool) are
 * dropped with their alloc counterparts. cpu_addr and dma_handle always
 * refer to the same allocation (a correct driver).
 */
import { baselineAt, dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { freeCommonStates } from './dma-direct-free-common.ts';

export const dmaDirectFree = dmaSetup.createMachine({
  id: 'dma_direct_free',
  initial: 'start',
  context: initialContext,
  states: {
    ...freeCommonStates(),
    vunmapping: {
      // No re-encrypt: consistent with a baseline alloc that never decrypted on remap.
      meta: { source: baselineAt(342, 'dma_direct_free', 'is_vmalloc_addr(cpu_addr): vunmap(cpu_addr), then free the pages'), call: 'vunmap' } satisfies StateMeta,
      on: { VUNMAPPED: { target: 'freePages' } },
    },
  },
});
