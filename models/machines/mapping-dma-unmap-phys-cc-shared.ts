/**
 * dma_unmap_phys(dev, addr, size, dir, DMA_ATTR_CC_SHARED) — kernel/dma/mapping.c
 * (dma_unmap_phys() lines 206-226, the same code before the series and at
 * v7.3 b45e3d35): the unmap of dma_map_phys_cc_shared; a direct device goes
 * to the version's dma_direct_unmap_phys(), spliced in under
 * `dma_direct_unmap_phys:`, which releases a bounce slot and otherwise
 * touches no encryption state.
 *
 * ABSTRACTION: as in mapping-dma-map-phys-cc-shared.ts (a direct device;
 * tracing and debug dropped).
 */
import type { DmaMachine } from './dma-setup.ts';
import { mappingAt, passThroughMachine } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

/** dma_unmap_phys() with DMA_ATTR_CC_SHARED, of generation `gen`, around the version's dma_direct_unmap_phys machine `direct`. */
export function dmaUnmapPhysCcShared(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  return passThroughMachine('dma_unmap_phys_cc_shared', direct, mappingAt(gen, { classic: 218, 'cc-shared': 218 }, 'dma_unmap_phys', 'if (dma_map_direct(dev, ops) || ...) dma_direct_unmap_phys(dev, addr, size, dir, attrs = DMA_ATTR_CC_SHARED, true)'));
}
