/**
 * dma_alloc_attrs() — kernel/dma/mapping.c, the coherent allocation drivers
 * call: per-device coherent memory first (kernel/dma/coherent.c), else
 * dma_direct_alloc(), whose machine (the version's) is spliced in under
 * `dma_direct_alloc:`.
 *
 * v7.3 (b45e3d35, lines 633-683) refuses (NULL) a caller that passes
 * DMA_ATTR_CC_SHARED or __DMA_ATTR_ALLOC_CC_SHARED itself, then sets
 * __DMA_ATTR_ALLOC_CC_SHARED when force_dma_unencrypted(dev), before the
 * device's coherent memory is tried (which takes no attrs: the attr has no
 * effect there). Before the series (lines 625-666) neither happens: a
 * caller's shared attr goes on to dma_direct_alloc(), which ignores it.
 *
 * dma_alloc_from_dev_coherent() returns 1 for a device with coherent memory
 * even when the region is exhausted (coherent.c:195-196), so such a device
 * never falls back to dma-direct. The region is never decrypted
 * (coherent.c has no set_memory_*() call) and the handle is
 * dma_get_device_base() + offset: phys_to_dma(), the encrypted encoding, for
 * a shared-dma-pool region (coherent.c:30-35, 162).
 *
 * ABSTRACTION: the device is direct (dma_alloc_direct(): no IOMMU, no
 * dma_map_ops); the WARN_ON_ONCE tests of the coherent mask and __GFP_COMP
 * pass (a correct driver); the zone-flag strip, trace_dma_alloc() and
 * debug_dma_alloc_coherent() have no effect on encryption state.
 */
import type { DmaMachine, StateMeta } from './dma-setup.ts';
import { coherentAt, frontEndMachine, mappingAt } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

const FN = 'dma_alloc_attrs';

/** dma_alloc_attrs() of generation `gen` around the version's dma_direct_alloc machine `direct`. */
export function dmaAllocAttrs(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  const L = (classic: number, ccShared: number, what: string) => mappingAt(gen, { classic, 'cc-shared': ccShared }, FN, what);
  /** a position that exists only in v7.3's mapping.c */
  const V73 = (line: number, what: string) => L(line, line, what);
  const v73 = gen === 'cc-shared';
  const prologue = v73
    ? {
      start: {
        meta: { source: V73(649, 'if (attrs & (DMA_ATTR_CC_SHARED | __DMA_ATTR_ALLOC_CC_SHARED))') } satisfies StateMeta,
        always: [{ guard: 'callerSharedAttr', target: 'refuseSharedAttr' }, { target: 'sharedAttr' }],
      },
      refuseSharedAttr: {
        type: 'final',
        meta: { source: V73(652, 'trace_dma_alloc(dev, NULL, ...); return NULL: the caller may not ask for shared memory'), returns: 'null' } satisfies StateMeta,
      },
      sharedAttr: {
        meta: { source: V73(655, 'if (force_dma_unencrypted(dev)) attrs |= __DMA_ATTR_ALLOC_CC_SHARED') } satisfies StateMeta,
        always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'devCoherentCheck' }, { target: 'devCoherentCheck' }],
      },
    } as const
    : undefined;
  return frontEndMachine(FN, direct, (entry) => ({
    ...(prologue as {}),
    [v73 ? 'devCoherentCheck' : 'start']: {
      meta: { source: L(641, 658, 'if (dma_alloc_from_dev_coherent(dev, size, dma_handle, &cpu_addr)): 0 at once without coherent memory (coherent.c:192-193)') } satisfies StateMeta,
      always: [{ guard: 'devCoherentMemory', target: 'allocFromDevCoherent' }, { target: 'callDirect' }],
    },
    allocFromDevCoherent: {
      meta: {
        source: coherentAt(195, 'dma_alloc_from_dev_coherent', '*ret = __dma_alloc_from_coherent(dev, mem, size, dma_handle) (a bitmap region, never decrypted; handle = dma_get_device_base() + offset, the encrypted encoding); return 1, also when *ret is NULL'),
        call: 'dma_alloc_from_dev_coherent',
      } satisfies StateMeta,
      on: { POOL_ALLOC_OK: { target: 'returnDevCoherent' }, POOL_ALLOC_FAILED: { target: 'returnDevCoherentNull' } },
    },
    returnDevCoherent: {
      type: 'final',
      meta: { source: L(644, 661, 'return cpu_addr (the region page)'), returns: 'dev_coherent_cpu_addr' } satisfies StateMeta,
    },
    returnDevCoherentNull: {
      type: 'final',
      meta: { source: L(644, 661, 'return cpu_addr (NULL: the region is exhausted; no fallback to dma-direct)'), returns: 'null' } satisfies StateMeta,
    },
    callDirect: {
      meta: { source: L(650, 667, 'if (dma_alloc_direct(dev, ops) || arch_dma_alloc_direct(dev)) cpu_addr = dma_direct_alloc(dev, size, dma_handle, flag, attrs)') } satisfies StateMeta,
      always: [{ target: entry }],
    },
  }));
}
