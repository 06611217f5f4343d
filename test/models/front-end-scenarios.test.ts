/**
 * Scenario tests of the mapping.c front end and per-device coherent memory
 * (models/machines/mapping-*.ts, dev-coherent-mmap-states.ts): one schedule
 * each, driven by event names, with what each step does to the world.
 */
import { describe, expect, it } from 'vitest';
import { versionById } from '../../models/versions.ts';
import { drive, driveMachine, spec, successorsOf } from '../helpers/drive.ts';

const machines = (vid: string) => versionById(vid)!.machines;

describe('dma_alloc_attrs with a shared attr from the caller', () => {
  it('v7.3 refuses it: NULL before any memory is touched, with or without coherent memory and whatever the device', () => {
    for (const input of [{ F: true }, { F: false }, { F: true, devCoherent: true }]) {
      const d = driveMachine(machines('v7.3').dma_alloc_attrs, { ...input, callerShared: true }, []);
      expect(d.path).toEqual(['refuseSharedAttr']);
      expect((machines('v7.3').dma_alloc_attrs.config.states!['refuseSharedAttr'] as { meta: { returns: string } }).meta.returns).toBe('null');
    }
  });

  it('v7.3 without the caller\'s attr sets the internal one for a force_dma_unencrypted device and allocates', () => {
    const d = driveMachine(machines('v7.3').dma_alloc_attrs, { F: true }, ['BUDDY_PAGE', 'SET_DECRYPTED_OK']);
    expect(d.end).toBe('dma_direct_alloc:returnCpuAddr');
    expect(d.locals.ccShared).toBe(true);
  });

  it('baseline has no such check: the attr goes on to dma_direct_alloc(), which ignores it, and the allocation is the one without it', () => {
    for (const F of [true, false]) {
      const events = F ? ['BUDDY_PAGE', 'SET_DECRYPTED_OK'] as const : ['BUDDY_PAGE'] as const;
      const withAttr = driveMachine(machines('baseline').dma_alloc_attrs, { F, callerShared: true }, events);
      const without = driveMachine(machines('baseline').dma_alloc_attrs, { F }, events);
      expect(withAttr).toEqual(without);
      expect(withAttr.end).toBe('dma_direct_alloc:returnCpuAddr');
    }
  });
});

describe('per-device coherent memory on cca (force_dma_unencrypted for every device)', () => {
  const session = [['dma_alloc_attrs', 'dma_mmap_attrs', 'dma_free_attrs']];

  it.each(['baseline', 'v7.3'])('%s hands out a private region page with the encrypted DMA address and maps it to user space decrypted', (v) => {
    const d = drive(spec(v, 'cca', 'devmem=1', session),
      [[0, 'CALL'], [0, 'POOL_ALLOC_OK', 'devmem0'], [0, 'CALL'], [0, 'PFN_REMAPPED'], [0, 'CALL'], [0, 'POOL_FREED']]);
    expect(d.texts()).toEqual([
      [],
      ['take devmem0 (dma_alloc_from_dev_coherent) ENC', 'dma addr devmem0 encrypted', 'return dev-coherent cpu addr devmem0'],
      [],
      // dma_direct_mmap() set vm_page_prot decrypted (F) before dma_mmap_from_dev_coherent() mapped the region page with it
      ['user map devmem0 decrypted', 'return 0 devmem0'],
      ['quiesce devmem0'],
      ['give back devmem0 to dev-coherent (dma_release_from_dev_coherent) ENC', 'return void'],
    ]);
    expect(d.page('devmem0', 3)).toEqual({ loc: 'in use', enc: 'ENC', holder: 0, vmap: 'none', user: 'decrypted', dma: 'encrypted' });
    expect(d.page('devmem0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it.each(['baseline', 'v7.3'])('%s on a platform without force_dma_unencrypted maps the region page with the encrypted prot', (v) => {
    const d = drive(spec(v, 'plain-arm64', 'devmem=1', session), [[0, 'CALL'], [0, 'POOL_ALLOC_OK'], [0, 'CALL'], [0, 'PFN_REMAPPED']]);
    expect(d.text(3)).toEqual(['user map devmem0 encrypted', 'return 0 devmem0']);
  });

  it.each(['baseline', 'v7.3'])('%s returns NULL when the region is exhausted, without falling back to dma-direct', (v) => {
    const s = spec(v, 'cca', 'devmem=1', [['dma_alloc_attrs', 'dma_free_attrs']]);
    const called = drive(s, [[0, 'CALL']]);
    // the only outcomes: a region page or NULL (no buddy, CMA or pool call follows)
    expect(successorsOf(called.model, called.world.buf).map((c) => `${c.event}(${c.page >= 0 ? called.pageNames[c.page] : '-'})`))
      .toEqual(['POOL_ALLOC_OK(devmem0)', 'POOL_ALLOC_FAILED(-)']);
    const d = drive(s, [[0, 'CALL'], [0, 'POOL_ALLOC_FAILED']]);
    expect(d.text(1)).toEqual(['failed dma_alloc_from_dev_coherent', 'return NULL']);
    expect(d.thread(0)).toEqual({ pc: 2, at: 'idle', handle: 'none', handlePage: null });
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it('a device without coherent memory allocates from dma-direct through dma_alloc_attrs (no coherent.c call)', () => {
    const d = drive(spec('v7.3', 'cca', '', [['dma_alloc_attrs', 'dma_free_attrs']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK']]);
    expect(d.texts()).toEqual([[], ['take page0 (alloc_pages_node) ENC'], ['set_memory_decrypted page0 ok ENC->DEC', 'dma addr page0 decrypted', 'return linear cpu addr page0']]);
    expect(d.pageNames).toEqual(['page0']);
  });
});

describe('dma_mmap_pages maps with the vma prot unchanged', () => {
  it.each(['baseline', 'v7.3'])('%s maps a page dma_alloc_pages() decrypted for a cca device with the encrypted prot', (v) => {
    const d = drive(spec(v, 'cca', '', [['dma_alloc_pages', 'dma_mmap_pages', 'dma_free_pages']]),
      [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'CALL'], [0, 'PFN_REMAPPED']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted page0 ok ENC->DEC', 'dma addr page0 decrypted', 'return struct page page0']);
    expect(d.text(4)).toEqual(['user map page0 encrypted', 'return 0 page0']);
    expect(d.page('page0')).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'none', user: 'encrypted', dma: 'decrypted' });
  });
});
