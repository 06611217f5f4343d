/**
 * dma_free_attrs() — kernel/dma/mapping.c (v7.3 b45e3d35 lines 686-713;
 * before the series lines 669-696, the same code): the device's coherent
 * memory takes the buffer back if the address is inside its region
 * (no set_memory_*() call: the region was never decrypted), else
 * dma_direct_free(), whose machine (the version's) is spliced in under
 * `dma_direct_free:`, with the caller's attrs (v7.3's dma_direct_free()
 * recomputes the shared attr from force_dma_unencrypted(dev) itself).
 *
 * ABSTRACTION: the device is direct; WARN_ON(irqs_disabled()) (a driver
 * frees in process context), the `if (!cpu_addr) return` (a correct driver
 * frees only what it got), trace_dma_free() and debug_dma_free_coherent()
 * are dropped.
 */
import type { DmaMachine, StateMeta } from './dma-setup.ts';
import { coherentAt, frontEndMachine, mappingAt } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

const FN = 'dma_free_attrs';

/** dma_free_attrs() of generation `gen` around the version's dma_direct_free machine `direct`. */
export function dmaFreeAttrs(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  const L = (classic: number, ccShared: number, what: string) => mappingAt(gen, { classic, 'cc-shared': ccShared }, FN, what);
  return frontEndMachine(FN, direct, (entry) => ({
    start: {
      meta: { source: L(674, 691, 'if (dma_release_from_dev_coherent(dev, get_order(size), cpu_addr)) return: 0 at once without coherent memory') } satisfies StateMeta,
      always: [{ guard: 'devCoherentMemory', target: 'releaseFromDevCoherent' }, { target: 'callDirect' }],
    },
    releaseFromDevCoherent: {
      meta: {
        source: coherentAt(204, '__dma_release_from_coherent', 'cpu_addr inside the region: bitmap_release_region(), return 1; else return 0'),
        call: 'dma_release_from_dev_coherent',
      } satisfies StateMeta,
      on: { POOL_FREED: { target: 'released' }, NOT_IN_POOL: { target: 'callDirect' } },
    },
    released: {
      type: 'final',
      meta: { source: L(675, 692, 'return (the buffer is back in the region, in the state it was handed out)'), returns: 'void' } satisfies StateMeta,
    },
    callDirect: {
      meta: { source: L(691, 708, 'if (dma_alloc_direct(dev, ops) || arch_dma_free_direct(dev, dma_handle)) dma_direct_free(dev, size, cpu_addr, dma_handle, attrs)') } satisfies StateMeta,
      always: [{ target: entry }],
    },
  }));
}
