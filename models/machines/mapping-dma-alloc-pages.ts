/**
 * dma_alloc_pages() — kernel/dma/mapping.c (v7.3 b45e3d35: __dma_alloc_pages()
 * lines 717-737 and dma_alloc_pages() 739-753; before the series 700-720 and
 * 722-736, the same code): no attrs, and no per-device coherent memory (only
 * dma_alloc_attrs() asks for it); a direct device's pages come from
 * dma_direct_alloc_pages(), whose machine (the version's) is spliced in
 * under `dma_direct_alloc_pages:`.
 *
 * ABSTRACTION: the device is direct; the WARN_ON_ONCE tests (coherent mask,
 * zone flags, __GFP_COMP) pass (a correct driver); PAGE_ALIGN, the trace
 * and debug_dma_alloc_pages() have no effect on encryption state.
 */
import type { DmaMachine } from './dma-setup.ts';
import { mappingAt, passThroughMachine } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

/** dma_alloc_pages() of generation `gen` around the version's dma_direct_alloc_pages machine `direct`. */
export function dmaAllocPages(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  return passThroughMachine('dma_alloc_pages', direct, mappingAt(gen, { classic: 713, 'cc-shared': 730 }, '__dma_alloc_pages', 'if (dma_alloc_direct(dev, ops)) return dma_direct_alloc_pages(dev, size, dma_handle, dir, gfp)'));
}
