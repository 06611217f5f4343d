/**
 * dma_map_phys(dev, phys, size, dir, DMA_ATTR_CC_SHARED) — kernel/dma/mapping.c
 * (dma_map_phys() lines 153-186, the same code before the series and at
 * v7.3 b45e3d35): a caller that already shared its buffer (a dma-buf heap
 * buffer of the system_cc_shared heap, decrypted by the heap) maps it for a
 * direct device, which goes to the version's dma_direct_map_phys() with the
 * attr; that machine is spliced in under `dma_direct_map_phys:`. The entry
 * point's id names the attr: the caller always passes it.
 *
 * ABSTRACTION: the device is direct (an IOMMU or dma_map_ops device with
 * the attr gets DMA_MAPPING_ERROR at line 174, not modelled); the
 * dev->dma_mask and DMA_ATTR_REQUIRE_COHERENT checks, kmsan, tracing and
 * debug are dropped.
 */
import type { DmaMachine } from './dma-setup.ts';
import { mappingAt, passThroughMachine } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

/** dma_map_phys() with DMA_ATTR_CC_SHARED, of generation `gen`, around `direct`: the version's dma_direct_map_phys() for a shared buffer. */
export function dmaMapPhysCcShared(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  return passThroughMachine('dma_map_phys_cc_shared', direct, mappingAt(gen, { classic: 172, 'cc-shared': 172 }, 'dma_map_phys', 'if (dma_map_direct(dev, ops) || ...) addr = dma_direct_map_phys(dev, phys, size, dir, attrs = DMA_ATTR_CC_SHARED, true)'));
}
