/**
 * dma_mmap_attrs() — kernel/dma/mapping.c (v7.3 b45e3d35 lines 590-604;
 * before the series lines 582-596, the same code): a direct device's buffer
 * is mapped by dma_direct_mmap(), whose machine (the version's) is spliced
 * in under `dma_direct_mmap:`. dma_direct_mmap() sets the prot before it
 * asks whether the buffer is in the device's coherent memory, so a region
 * page is mapped with the prot computed for dma-direct memory.
 *
 * ABSTRACTION: the device is direct (no IOMMU, no dma_map_ops->mmap).
 */
import type { DmaMachine } from './dma-setup.ts';
import { mappingAt, passThroughMachine } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

/** dma_mmap_attrs() of generation `gen` around the version's dma_direct_mmap machine `direct`. */
export function dmaMmapAttrs(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  return passThroughMachine('dma_mmap_attrs', direct, mappingAt(gen, { classic: 588, 'cc-shared': 596 }, 'dma_mmap_attrs', 'if (dma_alloc_direct(dev, ops)) return dma_direct_mmap(dev, vma, cpu_addr, dma_addr, size, attrs)'));
}
