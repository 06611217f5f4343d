/**
 * dma_direct_mmap() — kernel/dma/direct.c:642-665 at v7.3 (63e62b63; facts
 * §8). The prot follows `attrs`: DMA_ATTR_CC_SHARED is added when
 * force_dma_unencrypted(dev), and dma_pgprot() then applies
 * pgprot_decrypted(), otherwise pgprot_encrypted() (explicitly).
 *
 * dma_mmap_from_dev_coherent() (line 656) maps a buffer in the device's
 * coherent memory (reached through dma_mmap_attrs()) with the prot set at
 * line 654 (dev-coherent-mmap-states.ts).
 *
 * ABSTRACTION: dma_mmap_from_global_coherent() (line 658,
 * CONFIG_DMA_GLOBAL_POOL, no modelled platform selects it) declines; the
 * vm_pgoff bounds check passes (a correct driver) and remap_pfn_range()
 * succeeds.
 */
import { devCoherentMmapStates } from './dev-coherent-mmap-states.ts';
import { dmaSetup, initialContext, type StateMeta } from './dma-setup.ts';
import { at } from './v73-common.ts';

const FN = 'dma_direct_mmap';
const L = (line: number, what: string) => at(line, FN, what);

export const v73DmaDirectMmap = dmaSetup.createMachine({
  id: 'dma_direct_mmap',
  initial: 'start',
  context: initialContext,
  states: {
    start: {
      meta: { source: L(651, 'if (force_dma_unencrypted(dev)) attrs |= DMA_ATTR_CC_SHARED') } satisfies StateMeta,
      always: [{ guard: 'forceDmaUnencrypted', actions: 'setCcShared', target: 'pgprot' }, { target: 'pgprot' }],
    },
    pgprot: {
      meta: { source: L(654, 'vma->vm_page_prot = dma_pgprot(dev, vma->vm_page_prot, attrs): pgprot_decrypted() for a shared attr, else pgprot_encrypted()') } satisfies StateMeta,
      always: [
        { guard: 'ccShared', actions: 'usePgprotDecrypted', target: 'devCoherentCheck' },
        { target: 'devCoherentCheck' },
      ],
    },
    ...devCoherentMmapStates(L(656, 'if (dma_mmap_from_dev_coherent(dev, vma, cpu_addr, size, &ret)) return ret'), 'remappingPfnRange', 'returned'),
    remappingPfnRange: {
      meta: { source: L(663, 'remap_pfn_range(vma, vm_start, pfn + vm_pgoff, size, vm_page_prot)'), call: 'remap_pfn_range' } satisfies StateMeta,
      on: { PFN_REMAPPED: { target: 'returned' } },
    },
    returned: {
      type: 'final',
      meta: { source: L(663, 'return remap_pfn_range(...) (0)'), returns: 'mmap_result' } satisfies StateMeta,
    },
  },
});
