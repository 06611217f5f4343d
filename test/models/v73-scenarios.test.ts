/**
 * Scenario tests of mainline v7.3 (the merged CC_SHARED series): one
 * schedule each, with the environment calls every step makes and the world
 * after it (see test/helpers/drive.ts).
 */
import { describe, expect, it } from 'vitest';
import { platformById } from '../../models/platforms.ts';
import { drive, offersAfterCall, spec } from '../helpers/drive.ts';

/** A CC platform whose pools are not cc_shared: the requests of its F devices ask for the other kind of memory. */
const UNSHARED_POOLS = { ...platformById('cca')!, ccMemEncrypt: false };

describe('v7.3: a pool whose cc_shared does not match the request', () => {
  it('fails an atomic-pool allocation with the WARN recorded: dma_direct_alloc returns NULL', () => {
    const s = { ...spec('v7.3', 'cca', 'coherent=1,gfp=atomic', [['alloc', 'free']]), platform: UNSHARED_POOLS };
    expect(offersAfterCall(s)).toEqual(['POOL_ALLOC_FAILED']);
    const d = drive(s, [[0, 'CALL'], [0, 'POOL_ALLOC_FAILED']]);
    expect(d.texts()[1]).toEqual([
      'failed dma_alloc_from_pool',
      'warn WARN: no atomic pool of the requested kind (its cc_shared differs from the attrs)',
      'return NULL',
    ]);
    expect(d.page('chunk0').loc).toBe('free');
  });

  it('fails a restricted-pool allocation: swiotlb_alloc() returns NULL and there is no fallback', () => {
    const s = { ...spec('v7.3', 'cca', 'coherent=1,pool=own', [['alloc', 'free']]), platform: UNSHARED_POOLS };
    expect(offersAfterCall(s)).toEqual(['SWIOTLB_ALLOC_FAILED']);
    expect(drive(s, [[0, 'CALL'], [0, 'SWIOTLB_ALLOC_FAILED']]).texts()[1]).toEqual(['failed swiotlb_alloc', 'return NULL']);
  });

  it('serves a request of the pool\'s own kind', () => {
    expect(offersAfterCall(spec('v7.3', 'cca', 'coherent=1,gfp=atomic', [['alloc', 'free']]))).toEqual(['POOL_ALLOC_OK', 'POOL_ALLOC_FAILED']);
    expect(offersAfterCall(spec('v7.3', 'cca', 'coherent=1,pool=own', [['alloc', 'free']]))).toEqual(['SWIOTLB_ALLOC_OK', 'SWIOTLB_ALLOC_FAILED']);
  });
});

describe('v7.3: the free asks force_dma_unencrypted() again, at free time (SME host)', () => {
  const run = (mask: string) => spec('v7.3', 'sme-host', `mask=${mask}`, [['alloc', 'dma_set_coherent_mask', 'free']]);

  it('a buffer decrypted for a device below the C-bit goes back to the buddy allocator still decrypted once the mask moved above it', () => {
    const d = drive(run('below'), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'],
      [0, 'CALL'], [0, 'MASK_SET'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'NOT_IN_SWIOTLB_POOL'], [0, 'CMA_RELEASED'],
    ]);
    expect(d.texts().slice(2)).toEqual([
      ['set_memory_decrypted page0 ok ENC->DEC', 'dma addr page0 decrypted', 'return linear cpu addr page0'],
      [],
      ['mask the coherent DMA mask moves to the other side of the C-bit', 'return 0 page0'],
      ['quiesce page0'],
      [],
      [],
      ['give back page0 to buddy (dma_free_contiguous) DEC', 'return void'],
    ]);
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'DEC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });

  it('a buffer never decrypted (mask above the C-bit) is "re-encrypted" once the mask moved below it', () => {
    const d = drive(run('above'), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'],
      [0, 'CALL'], [0, 'MASK_SET'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'NOT_IN_SWIOTLB_POOL'], [0, 'SET_ENCRYPTED_OK'], [0, 'CMA_RELEASED'],
    ]);
    expect(d.text(7)).toEqual(['set_memory_encrypted page0 ok ENC->ENC']);
    expect(d.page('page0').enc).toBe('ENC');
  });

  it('a free without a mask change re-encrypts what the allocation decrypted', () => {
    const d = drive(spec('v7.3', 'sme-host', 'mask=below', [['alloc', 'free']]), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'NOT_IN_SWIOTLB_POOL'], [0, 'SET_ENCRYPTED_OK'], [0, 'CMA_RELEASED'],
    ]);
    expect(d.text(6)).toEqual(['set_memory_encrypted page0 ok DEC->ENC']);
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });
});

describe('v7.3 on the restricted pool and the atomic pool', () => {
  it('pKVM (a CC platform at v7.3) takes a slot of its shared pool without decrypting it and frees it back without re-encrypting it', () => {
    const d = drive(spec('v7.3', 'pkvm', 'coherent=1,pool=own', [['alloc', 'free']]), [
      [0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK'],
      [0, 'CALL'], [0, 'NOT_IN_POOL'], [0, 'SWIOTLB_POOL_FOUND'], [0, 'PAGES_FREED'],
    ]);
    expect(d.texts()).toEqual([
      [],
      ['take pool0.slot0 (swiotlb_alloc) DEC', 'dma addr pool0.slot0 decrypted', 'return linear cpu addr pool0.slot0'],
      ['quiesce pool0.slot0'],
      [],
      [],
      ['give back pool0.slot0 to restricted-pool (swiotlb_free_from_pool) DEC', 'return void'],
    ]);
  });

  it('dma_direct_alloc_pages hands out the atomic-pool chunk\'s real page, and dma_direct_free_pages finds it by its physical address under DMA_DIRECT_REMAP', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1,gfp=atomic', [['alloc_pages', 'free_pages']]), [
      [0, 'CALL'], [0, 'POOL_ALLOC_OK'], [0, 'CALL'], [0, 'POOL_FREED'],
    ]);
    expect(d.texts()).toEqual([
      [],
      ['take chunk0 (dma_alloc_from_pool) DEC', 'dma addr chunk0 decrypted', 'return struct page chunk0'],
      ['quiesce chunk0'],
      ['give back chunk0 to atomic-pool (dma_free_from_pool_by_phys) DEC', 'return void'],
    ]);
  });

  it('a failed vmap re-encrypts the decrypted page and frees it (cca, non-coherent device)', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=0', [['alloc', 'free']]), [
      [0, 'CALL'], [0, 'BUDDY_PAGE'], [0, 'SET_DECRYPTED_OK'], [0, 'REMAP_FAILED'], [0, 'SET_ENCRYPTED_OK'], [0, 'PAGES_FREED'],
    ]);
    expect(d.text(4)).toEqual(['set_memory_encrypted page0 ok DEC->ENC']);
    expect(d.page('page0')).toEqual({ loc: 'free', enc: 'ENC', holder: 0, vmap: 'none', user: 'none', dma: 'none' });
  });
});
