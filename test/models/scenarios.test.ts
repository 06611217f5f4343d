/**
 * Scenario tests: one schedule of a run, driven by event names, with the
 * exact environment calls each step makes (as observation text, see
 * test/helpers/drive.ts obsText) and the world after it.
 */
import { describe, expect, it } from 'vitest';
import { drive, spec } from '../helpers/drive.ts';

/** the v2 series (other modelled designs have scenario tests of their own) */
const SERIES = ['baseline', 'v2-p1', 'v2-p2', 'v2-p3', 'v2-p4', 'v2-p3-without-p1'];
const BASE_STRUCTURE = ['baseline', 'v2-p1', 'v2-p2'];
const P3_STRUCTURE = ['v2-p3', 'v2-p4', 'v2-p3-without-p1'];
/** versions with patch 1: dma-direct does not decrypt or encrypt restricted-pool memory */
const WITH_P1 = ['v2-p1', 'v2-p2', 'v2-p3', 'v2-p4'];

describe('dma_direct_alloc on cca with a restricted-pool device', () => {
  const run = (v: string) => spec(v, 'cca', 'coherent=1,pool=own', [['alloc', 'free']]);

  it.each(['baseline', 'v2-p3-without-p1'])('%s calls set_memory_decrypted on the slot that the pool already decrypted', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK', 'pool0.slot0'], [0, 'SET_DECRYPTED_OK']]);
    expect(d.texts()).toEqual([
      [],
      ['take pool0.slot0 (swiotlb_alloc) DEC'],
      ['set_memory_decrypted pool0.slot0 ok DEC->DEC', 'dma addr pool0.slot0 decrypted', 'return linear cpu addr pool0.slot0'],
    ]);
    expect(d.page('pool0.slot0')).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'decrypted' });
    expect(d.thread(0)).toEqual({ pc: 1, at: 'idle', handle: 'linear cpu addr', handlePage: 'pool0.slot0' });
  });

  it.each(WITH_P1)('%s hands the slot out without any set_memory call', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK', 'pool0.slot0']]);
    expect(d.texts({ sleeps: true })).toEqual([
      [],
      ['take pool0.slot0 (swiotlb_alloc) DEC', 'dma addr pool0.slot0 decrypted', 'return linear cpu addr pool0.slot0'],
    ]);
    expect(d.page('pool0.slot0')).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'decrypted' });
  });

  it('baseline re-encrypts the slot on free and returns it to the pool encrypted; v2-p1 returns it decrypted', () => {
    const alloc = [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK'], [0, 'SET_DECRYPTED_OK']] as const;
    const base = drive(run('baseline'), [...alloc, [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED']]);
    expect(base.texts().slice(3)).toEqual([
      ['quiesce pool0.slot0'],
      [],
      ['set_memory_encrypted pool0.slot0 ok DEC->ENC'],
      ['give back pool0.slot0 to restricted-pool (swiotlb_free) ENC', 'return void'],
    ]);
    expect(base.page('pool0.slot0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });

    const p1 = drive(run('v2-p1'), [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'PAGES_FREED']]);
    expect(p1.texts().slice(2)).toEqual([
      ['quiesce pool0.slot0'],
      [],
      ['give back pool0.slot0 to restricted-pool (swiotlb_free) DEC', 'return void'],
    ]);
    expect(p1.page('pool0.slot0').enc).toBe('DEC');
  });

  it('baseline lets a second device sharing the pool bounce through the slot the first one re-encrypted', () => {
    const d = drive(spec('baseline', 'cca', 'pool=shared', [['alloc', 'free'], ['map_phys', 'unmap_phys']]), [
      [0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK', 'slot0'], [0, 'SET_DECRYPTED_OK'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED'],
      [1, 'CALL'], [1, 'BOUNCE_MAPPED', 'slot0'],
    ]);
    expect(d.text(8)).toEqual(['take slot0 (swiotlb_map) ENC', 'dma addr slot0 decrypted', 'return bounced mapping slot0']);
    expect(d.page('slot0')).toEqual({ loc: 'in use', enc: 'ENC', holder: 1, vmap: 'none', user: 'none', dma: 'decrypted' });
    expect(d.page('slot1')).toEqual({ loc: 'free', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
    expect(d.thread(1)).toEqual({ pc: 1, at: 'idle', handle: 'bounced mapping', handlePage: 'slot0' });
  });
});

describe('dma_direct_alloc on cca with a non-coherent device (remap)', () => {
  const run = (v: string) => spec(v, 'cca', 'coherent=0,pool=none', [['alloc', 'free']]);

  it.each(BASE_STRUCTURE)('%s hands out a decrypted vmap alias of a page that was never decrypted', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'BUDDY_PAGE', 'page0'], [0, 'REMAP_OK']]);
    expect(d.texts({ sleeps: true })).toEqual([
      [],
      ['take page0 (alloc_pages_node) ENC'],
      ['may sleep dma_common_contiguous_remap', 'vmap page0 decrypted', 'dma addr page0 decrypted', 'return vmap cpu addr page0'],
    ]);
    expect(d.page('page0')).toEqual({ loc: 'in use', enc: 'ENC', holder: 0, vmap: 'decrypted', user: 'none', dma: 'decrypted' });
    expect(d.thread(0).handle).toBe('vmap cpu addr');
  });

  it.each(P3_STRUCTURE)('%s decrypts the linear alias before remapping', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'BUDDY_PAGE', 'page0'], [0, 'SET_DECRYPTED_OK'], [0, 'REMAP_OK']]);
    expect(d.texts()).toEqual([
      [],
      ['take page0 (alloc_pages_node) ENC'],
      ['set_memory_decrypted page0 ok ENC->DEC'],
      ['vmap page0 decrypted', 'dma addr page0 decrypted', 'return vmap cpu addr page0'],
    ]);
    expect(d.page('page0')).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'decrypted', user: 'none', dma: 'decrypted' });
  });

  it('baseline frees the remapped page without re-encrypting it; v2-p3 re-encrypts it after vunmap', () => {
    const base = drive(run('baseline'), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'REMAP_OK'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'VUNMAPPED'], [0, 'PAGES_FREED']]);
    expect(base.texts().slice(3)).toEqual([
      ['quiesce page0'], [], ['vmap page0 none'], ['give back page0 to buddy (dma_free_contiguous) ENC', 'return void'],
    ]);
    const p3 = drive(run('v2-p3'), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'REMAP_OK'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'VUNMAPPED'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED'],
    ]);
    expect(p3.texts().slice(4)).toEqual([
      ['quiesce page0'], [], ['vmap page0 none'], ['set_memory_encrypted page0 ok DEC->ENC'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return void'],
    ]);
    expect(p3.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it.each(BASE_STRUCTURE)('%s frees the page straight away when the remap fails (out_free_pages)', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'REMAP_FAILED'], [0, 'PAGES_FREED']]);
    expect(d.thread(0, 2).at).toBe('outFreePages');
    expect(d.texts().slice(2)).toEqual([
      ['failed dma_common_contiguous_remap'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return NULL'],
    ]);
    expect(d.page('page0').loc).toBe('free');
  });

  it.each(P3_STRUCTURE)('%s re-encrypts, then frees, when the remap fails (out_encrypt_pages)', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'REMAP_FAILED'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED']]);
    expect(d.thread(0, 3).at).toBe('setMemoryEncrypted');
    expect(d.texts().slice(3)).toEqual([
      ['failed dma_common_contiguous_remap'],
      ['set_memory_encrypted page0 ok DEC->ENC'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return NULL'],
    ]);
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
    expect(d.thread(0)).toEqual({ pc: 2, at: 'idle', handle: 'none', handlePage: null });
  });

  it('v2-p3 leaks the page when re-encryption after a failed remap fails', () => {
    const d = drive(run('v2-p3'), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'REMAP_FAILED'], [0, 'SET_ENCRYPTED_FAILED']]);
    expect(d.text(4)).toEqual(['set_memory_encrypted page0 failed DEC->UNKNOWN', 'leak page0 UNKNOWN', 'return NULL']);
    expect(d.page('page0')).toEqual({ loc: 'leaked', enc: 'UNKNOWN', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });
});

describe('failures of set_memory_decrypted', () => {
  it.each(SERIES)('%s on tdx leaks the page, UNKNOWN, and returns NULL', (v) => {
    const d = drive(spec(v, 'tdx', 'coherent=1,pool=none', [['alloc', 'free']]), [[0, 'CALL'], [0, 'BUDDY_PAGE', 'page0'], [0, 'SET_DECRYPTED_FAILED']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted page0 failed ENC->UNKNOWN', 'leak page0 UNKNOWN', 'return NULL']);
    expect(d.page('page0')).toEqual({ loc: 'leaked', enc: 'UNKNOWN', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
    // The driver skips the free of a buffer it did not get.
    expect(d.thread(0)).toEqual({ pc: 2, at: 'idle', handle: 'none', handlePage: null });
  });

  it('cannot happen on platforms whose set_memory_*() never fail', () => {
    expect(() => drive(spec('baseline', 's390-pv', '', [['alloc', 'free']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_FAILED']]))
      .toThrow(/available: 0:SET_DECRYPTED_OK$/);
  });

  it('dma_direct_alloc_pages on hyperv leaks the page too', () => {
    const d = drive(spec('v2-p4', 'hyperv', '', [['alloc_pages', 'free_pages']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_FAILED']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted page0 failed ENC->UNKNOWN', 'leak page0 UNKNOWN', 'return NULL']);
  });
});

describe('the atomic pool', () => {
  it.each(SERIES)('%s dma_direct_alloc_pages on cca with atomic gfp returns the pool CPU address as the page', (v) => {
    const d = drive(spec(v, 'cca', 'coherent=1,gfp=atomic', [['alloc_pages', 'free_pages']]), [[0, 'CALL'], [0, 'POOL_ALLOC_OK', 'chunk0']]);
    expect(d.text(1)).toEqual([
      'take chunk0 (dma_alloc_from_pool) DEC',
      'dma addr chunk0 decrypted',
      'bogus pointer dma_direct_alloc_pages chunk0',
      'return bogus struct page',
      'leak chunk0 DEC',
    ]);
    expect(d.page('chunk0')).toEqual({ loc: 'leaked', enc: 'DEC', holder: 0, vmap: 'decrypted', user: 'none', dma: 'decrypted' });
    expect(d.thread(0)).toEqual({ pc: 1, at: 'idle', handle: 'bogus struct page', handlePage: null });
  });

  it('dma_direct_free_pages then works on the bogus pointer', () => {
    const d = drive(spec('baseline', 'cca', 'gfp=atomic', [['alloc_pages', 'free_pages']]), [
      [0, 'CALL'], [0, 'POOL_ALLOC_OK'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'SET_ENCRYPTED_OK'],
    ]);
    expect(d.text(4)).toEqual(['bogus pointer set_memory_encrypted']);
    expect(d.thread(0).at).toBe('freePages');
  });

  it('dma_direct_alloc on cca with atomic gfp hands out a decrypted pool chunk, and dma_direct_free gives it back by its address', () => {
    const d = drive(spec('v2-p4', 'cca', 'gfp=atomic', [['alloc', 'free']]), [[0, 'CALL'], [0, 'POOL_ALLOC_OK', 'chunk0'], [0, 'CALL'], [0, 'POOL_FREED']]);
    expect(d.texts()).toEqual([
      [],
      ['take chunk0 (dma_alloc_from_pool) DEC', 'dma addr chunk0 decrypted', 'return atomic-pool cpu addr chunk0'],
      ['quiesce chunk0'],
      ['give back chunk0 to atomic-pool (dma_free_from_pool) DEC', 'return void'],
    ]);
    expect(d.page('chunk0')).toEqual({ loc: 'free', enc: 'DEC', holder: 0, vmap: 'decrypted', user: 'none', dma: 'none' });
  });

  it('a !F non-coherent pkvm device gets a decrypted chunk with the encrypted DMA address', () => {
    const d = drive(spec('v2-p4', 'pkvm', 'coherent=0,gfp=atomic', [['alloc', 'free']]), [[0, 'CALL'], [0, 'POOL_ALLOC_OK', 'chunk0']]);
    expect(d.text(1)).toEqual(['take chunk0 (dma_alloc_from_pool) DEC', 'dma addr chunk0 encrypted', 'return atomic-pool cpu addr chunk0']);
  });

  it('an atomic allocation without CONFIG_DMA_COHERENT_POOL returns NULL at once (s390-pv)', () => {
    const d = drive(spec('baseline', 's390-pv', 'gfp=atomic', [['alloc', 'free']]), [[0, 'CALL']]);
    expect(d.texts()).toEqual([['return NULL']]);
    expect(d.pageNames).toEqual(['page0']);
    expect(d.page('page0').loc).toBe('free');
  });
});

describe('the DMA address and prot of restricted-pool memory on pkvm (F = false)', () => {
  const handOut = (v: string) => drive(spec(v, 'pkvm', 'coherent=1,pool=own', [['alloc', 'mmap', 'free']]), [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK']]);

  it.each([['baseline', 'encrypted'], ['v2-p1', 'encrypted'], ['v2-p2', 'decrypted'], ['v2-p3', 'decrypted'], ['v2-p4', 'decrypted'], ['v2-p3-without-p1', 'decrypted']])(
    '%s hands out the %s DMA address of the decrypted slot',
    (v, attr) => {
      const d = handOut(v);
      expect(d.text(1)).toEqual(['take pool0.slot0 (swiotlb_alloc) DEC', `dma addr pool0.slot0 ${attr}`, 'return linear cpu addr pool0.slot0']);
      expect(d.page('pool0.slot0')).toMatchObject({ enc: 'DEC', dma: attr });
    },
  );

  it.each([['v2-p3', 'encrypted'], ['v2-p4', 'decrypted']])('%s dma_direct_mmap maps the slot with the %s prot', (v, attr) => {
    const d = drive(spec(v, 'pkvm', 'coherent=1,pool=own', [['alloc', 'mmap', 'free']]), [
      [0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK'], [0, 'CALL'], [0, 'PFN_REMAPPED'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'PAGES_FREED'],
    ]);
    expect(d.text(3)[0]).toBe(`user map pool0.slot0 ${attr}`);
    expect(d.page('pool0.slot0', 3)).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'none', user: attr, dma: 'decrypted' });
    // The driver unmaps before the free; the slot goes back decrypted and unmapped.
    expect(d.texts().slice(4)).toEqual([['quiesce pool0.slot0'], [], ['give back pool0.slot0 to restricted-pool (swiotlb_free) DEC', 'return void']]);
    expect(d.page('pool0.slot0')).toEqual({ loc: 'free', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });
});

describe('set_uncached on plain-mips', () => {
  const run = (v: string) => spec(v, 'plain-mips', 'coherent=0', [['alloc', 'free']]);

  it.each(SERIES)('%s goes to out_encrypt_pages when arch_dma_set_uncached fails, then frees the page', (v) => {
    const d = drive(run(v), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_UNCACHED_FAILED'], [0, 'PAGES_FREED']]);
    // No set_memory_encrypted (force_dma_unencrypted is false): out_encrypt_pages falls through to the free.
    expect(d.thread(0, 2).at).toBe(BASE_STRUCTURE.includes(v) ? 'outFreePages' : 'freePages');
    expect(d.texts({ sleeps: true })).toEqual([
      [],
      ['take page0 (alloc_pages_node) ENC'],
      ['failed arch_dma_set_uncached'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return NULL'],
    ]);
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it('hands out the uncached alias, and clears it on free', () => {
    const d = drive(run('baseline'), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_UNCACHED_OK'], [0, 'CALL'], [0, 'UNCACHED_CLEARED'], [0, 'PAGES_FREED']]);
    expect(d.text(2)).toEqual(['dma addr page0 encrypted', 'return uncached cpu addr page0']);
    expect(d.thread(0, 2)).toEqual({ pc: 1, at: 'idle', handle: 'uncached cpu addr', handlePage: 'page0' });
    expect(d.thread(0, 3).at).toBe('clearingUncached');
    expect(d.text(5)).toEqual(['give back page0 to buddy (dma_free_contiguous) ENC', 'return void']);
  });
});

describe('DMA_ATTR_NO_KERNEL_MAPPING', () => {
  it.each(SERIES)('%s on plain-arm64 returns the page as a cookie and frees it with dma_free_contiguous', (v) => {
    const d = drive(spec(v, 'plain-arm64', 'coherent=1,nkm=1', [['alloc', 'free']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'CALL'], [0, 'CMA_RELEASED']]);
    expect(d.texts()).toEqual([
      [],
      ['take page0 (alloc_pages_node) ENC', 'dma addr page0 encrypted', 'return page cookie page0'],
      ['quiesce page0'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return void'],
    ]);
    expect(d.thread(0, 1).handle).toBe('page cookie');
    expect(d.thread(0, 2).at).toBe('freeCookie');
    expect(d.page('page0').loc).toBe('free');
  });

  it('is not taken for a force_dma_unencrypted device (cca): the buffer is decrypted and mapped', () => {
    const d = drive(spec('baseline', 'cca', 'coherent=1,nkm=1', [['alloc', 'free']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted page0 ok ENC->DEC', 'dma addr page0 decrypted', 'return linear cpu addr page0']);
  });

  it('may hand out a highmem CMA page as the cookie on arm32-highmem, and releases it to CMA', () => {
    const d = drive(spec('v2-p3', 'arm32-highmem', 'coherent=1,nkm=1', [['alloc', 'free']]), [[0, 'CALL'], [0, 'CMA_HIGHMEM_PAGE', 'cma0'], [0, 'CALL'], [0, 'CMA_RELEASED']]);
    expect(d.text(1)).toEqual(['take cma0 (dma_alloc_contiguous) ENC', 'dma addr cma0 encrypted', 'return page cookie cma0']);
    expect(d.text(3)).toEqual(['give back cma0 to cma-highmem (dma_free_contiguous) ENC', 'return void']);
  });
});

describe('highmem CMA pages on arm32-highmem', () => {
  it.each(SERIES)('%s remaps a highmem CMA page even for a coherent device, and frees it to CMA', (v) => {
    const d = drive(spec(v, 'arm32-highmem', 'coherent=1', [['alloc', 'free']]), [
      [0, 'CALL'], [0, 'CMA_HIGHMEM_PAGE', 'cma0'], [0, 'REMAP_OK'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'VUNMAPPED'], [0, 'PAGES_FREED'],
    ]);
    expect(d.texts({ sleeps: true })).toEqual([
      [],
      ['take cma0 (dma_alloc_contiguous) ENC'],
      ['may sleep dma_common_contiguous_remap', 'vmap cma0 encrypted', 'dma addr cma0 encrypted', 'return vmap cpu addr cma0'],
      ['quiesce cma0'],
      [],
      ['vmap cma0 none'],
      ['give back cma0 to cma-highmem (dma_free_contiguous) ENC', 'return void'],
    ]);
    expect(d.thread(0, 2)).toEqual({ pc: 1, at: 'idle', handle: 'vmap cpu addr', handlePage: 'cma0' });
  });

  it('dma_direct_alloc_pages gives a highmem CMA page back and falls back to the buddy allocator (allow_highmem = false)', () => {
    const d = drive(spec('baseline', 'arm32-highmem', 'coherent=1', [['alloc_pages', 'free_pages']]), [
      [0, 'CALL'], [0, 'CMA_HIGHMEM_PAGE', 'cma0'], [0, 'CMA_RELEASED'], [0, 'BUDDY_PAGE', 'page0'],
    ]);
    expect(d.texts().slice(1)).toEqual([
      ['take cma0 (dma_alloc_contiguous) ENC'],
      ['give back cma0 to cma-highmem (dma_free_contiguous) ENC'],
      ['take page0 (alloc_pages_node) ENC', 'dma addr page0 encrypted', 'return struct page page0'],
    ]);
    expect(d.page('cma0').loc).toBe('free');
  });

  it('an atomic allocation never gets a CMA page (CMA may sleep), so it never remaps', () => {
    expect(() => drive(spec('baseline', 'arm32-highmem', 'coherent=1,gfp=atomic', [['alloc', 'free']]), [[0, 'CALL'], [0, 'CMA_HIGHMEM_PAGE']]))
      .toThrow(/available: 0:CMA_NONE$/);
    const d = drive(spec('baseline', 'arm32-highmem', 'coherent=1,gfp=atomic', [['alloc', 'free']]), [[0, 'CALL'], [0, 'CMA_NONE'], [0, 'BUDDY_PAGE', 'page0']]);
    expect(d.text(2)).toEqual(['take page0 (alloc_pages_node) ENC', 'dma addr page0 encrypted', 'return linear cpu addr page0']);
  });
});

describe('streaming DMA', () => {
  it.each(SERIES)('%s on sev bounces through the default swiotlb with the unencrypted DMA address, and returns the slot on unmap', (v) => {
    const d = drive(spec(v, 'sev', '', [['map_phys', 'unmap_phys']]), [[0, 'CALL'], [0, 'BOUNCE_MAPPED', 'swiotlb0'], [0, 'CALL'], [0, 'BOUNCE_UNMAPPED']]);
    expect(d.texts()).toEqual([
      [],
      ['take swiotlb0 (swiotlb_map) DEC', 'dma addr swiotlb0 decrypted', 'return bounced mapping swiotlb0'],
      [],
      ['give back swiotlb0 to swiotlb (swiotlb_tbl_unmap_single) DEC', 'return void'],
    ]);
    expect(d.page('swiotlb0', 1)).toEqual({ loc: 'in use', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'decrypted' });
    expect(d.thread(0, 2).at).toBe('unbouncing');
    expect(d.page('swiotlb0')).toEqual({ loc: 'free', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it('a failed bounce returns DMA_MAPPING_ERROR and the driver skips the unmap', () => {
    const d = drive(spec('baseline', 'sev', '', [['map_phys', 'unmap_phys']]), [[0, 'CALL'], [0, 'BOUNCE_MAP_FAILED']]);
    expect(d.text(1)).toEqual(['failed swiotlb_map', 'return NULL']);
    expect(d.thread(0)).toEqual({ pc: 2, at: 'idle', handle: 'none', handlePage: null });
  });

  it('maps directly, touching no page, where nothing forces a bounce (plain-x86)', () => {
    const d = drive(spec('baseline', 'plain-x86', '', [['map_phys', 'unmap_phys']]), [[0, 'CALL'], [0, 'CALL']]);
    expect(d.pageNames).toEqual([]);
    expect(d.texts()).toEqual([['return direct mapping'], ['return void']]);
  });

  it('a restricted-pool device on pkvm bounces through its own pool', () => {
    const d = drive(spec('baseline', 'pkvm', 'pool=own', [['map_phys', 'unmap_phys']]), [[0, 'CALL'], [0, 'BOUNCE_MAPPED', 'pool0.slot0']]);
    expect(d.text(1)).toEqual(['take pool0.slot0 (swiotlb_map) DEC', 'dma addr pool0.slot0 decrypted', 'return bounced mapping pool0.slot0']);
  });
});

describe('dma_direct_free_pages looks the atomic pool up by page_address()', () => {
  it.each([['sev', 'baseline'], ['cca', 'v2-p4']])('on %s (%s) a buddy page misses the pool, is re-encrypted and freed', (platform, v) => {
    const d = drive(spec(v, platform, '', [['alloc_pages', 'free_pages']]), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED'],
    ]);
    expect(d.texts()).toEqual([
      [],
      ['take page0 (alloc_pages_node) ENC'],
      ['set_memory_decrypted page0 ok ENC->DEC', 'dma addr page0 decrypted', 'return struct page page0'],
      ['quiesce page0'],
      [],
      ['set_memory_encrypted page0 ok DEC->ENC'],
      ['give back page0 to buddy (dma_free_contiguous) ENC', 'return void'],
    ]);
    expect(d.thread(0, 3).at).toBe('freeToPool');
  });

  it('skips the pool lookup where there is no atomic pool (ppc-svm)', () => {
    const d = drive(spec('baseline', 'ppc-svm', '', [['alloc_pages', 'free_pages']]), [[0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'CALL']]);
    expect(d.thread(0).at).toBe('setMemoryEncrypted');
  });
});

describe('two threads', () => {
  it('take different buddy pages and free them independently', () => {
    const d = drive(spec('v2-p4', 'sev', '', [['alloc', 'free'], ['alloc', 'free']]), [
      [0, 'CALL'], [1, 'CALL'], [0, 'BUDDY_PAGE', 'page0'], [1, 'BUDDY_PAGE', 'page1'], [1, 'SET_DECRYPTED_OK'], [0, 'SET_DECRYPTED_OK'],
    ]);
    expect(d.page('page0')).toMatchObject({ loc: 'in use', holder: 0, enc: 'DEC' });
    expect(d.page('page1')).toMatchObject({ loc: 'in use', holder: 1, enc: 'DEC' });
    expect(d.thread(1)).toEqual({ pc: 1, at: 'idle', handle: 'linear cpu addr', handlePage: 'page1' });
  });

  it('offers only one of two identical free pages (the other gives an isomorphic run)', () => {
    expect(() => drive(spec('v2-p4', 'sev', '', [['alloc', 'free'], ['alloc', 'free']]), [[0, 'CALL'], [0, 'BUDDY_PAGE', 'page1']]))
      .toThrow(/available: 0:BUDDY_PAGE\(page0\) 0:BUDDY_FAILED 1:CALL$/);
  });
});
