/**
 * dma_free_pages() — kernel/dma/mapping.c (v7.3 b45e3d35: __dma_free_pages()
 * lines 755-767 and dma_free_pages() 769-776; before the series 738-750 and
 * 752-759, the same code): a direct device's pages go to
 * dma_direct_free_pages(), whose machine (the version's) is spliced in
 * under `dma_direct_free_pages:`.
 *
 * ABSTRACTION: the device is direct; trace_dma_free_pages() and
 * debug_dma_free_pages() are dropped.
 */
import type { DmaMachine } from './dma-setup.ts';
import { mappingAt, passThroughMachine } from './mapping-common.ts';
import type { EnvGeneration } from '../platforms.ts';

/** dma_free_pages() of generation `gen` around the version's dma_direct_free_pages machine `direct`. */
export function dmaFreePages(direct: DmaMachine, gen: EnvGeneration): DmaMachine {
  return passThroughMachine('dma_free_pages', direct, mappingAt(gen, { classic: 744, 'cc-shared': 761 }, '__dma_free_pages', 'if (dma_alloc_direct(dev, ops)) dma_direct_free_pages(dev, size, page, dma_handle, dir)'));
}
