/**
 * Scenario tests of a caller that already shared its buffer (a dma-buf
 * system_cc_shared heap buffer, `heap0`, decrypted by the heap) and maps it
 * on the streaming path with DMA_ATTR_CC_SHARED (dma_map_phys_cc_shared),
 * per version: baseline's direct.h skips the bounce of a force-bounced
 * device and refuses the others; v7.3 bounces through a restricted pool
 * (the slot's encoding follows the pool) and maps every other device
 * directly; jgg-flags decides from the phys's flag. Each schedule is
 * checked step by step (test/helpers/drive.ts), with the properties each
 * step violates.
 */
import { describe, expect, it } from 'vitest';
import { dmaSetup, type DmaMachine } from '../../models/machines/dma-setup.ts';
import { dmaDirectMapPhysShared } from '../../models/machines/dma-direct-map-phys-shared.ts';
import { dmaMapPhysCcShared } from '../../models/machines/mapping-dma-map-phys-cc-shared.ts';
import { platformById } from '../../models/platforms.ts';
import { drive, offersAfterCall, spec, stepViolations as violations } from '../helpers/drive.ts';

const SESSION = ['dma_map_phys_cc_shared', 'dma_unmap_phys_cc_shared'];

describe('the caller\'s shared buffer', () => {
  it('is a page of the dma-buf heap, decrypted and held by it (no thread), on a platform with memory encryption', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1', [SESSION]), []);
    expect(d.pageNames).toEqual(['heap0']);
    expect(d.page('heap0')).toEqual({ loc: 'in use', enc: 'DEC', holder: 3, vmap: 'none', user: 'none', dma: 'none' });
  });
});

describe('baseline (direct.h blob 7140c208, Jiri Pirko\'s DMA_ATTR_CC_SHARED)', () => {
  it('force_bounce and the shared attr: no bounce, the buffer is mapped directly with the unencrypted encoding', () => {
    // cca boots with SWIOTLB_FORCE before the series: force_dma_unencrypted() devices are force-bounced
    const d = drive(spec('baseline', 'cca', 'coherent=1', [SESSION]), [[0, 'CALL'], [0, 'CALL']]);
    expect(d.texts()).toEqual([['dma addr heap0 decrypted', 'return direct mapping'], ['return void']]);
    expect(d.page('heap0').dma).toBe('decrypted');
    expect(violations(d, 0)).toEqual([]);
  });

  it('a restricted pool is force-bounced too: the shared buffer still skips the pool', () => {
    const d = drive(spec('baseline', 'cca', 'coherent=1,pool=own', [SESSION]), [[0, 'CALL']]);
    expect(d.text(0)).toEqual(['dma addr heap0 decrypted', 'return direct mapping']);
    expect(d.page('pool0.slot0').loc).toBe('free');
  });

  it('without force_bounce and with the attr: DMA_MAPPING_ERROR, and the driver skips the unmap', () => {
    // sme-host with the mask above the C-bit: force_dma_unencrypted() is false, no SWIOTLB_FORCE
    const d = drive(spec('baseline', 'sme-host', 'mask=above', [SESSION]), [[0, 'CALL']]);
    expect(d.text(0)).toEqual(['return NULL']);
    expect(d.page('heap0').dma).toBe('none');
    expect(d.thread(0)).toMatchObject({ pc: 2, handle: 'none' });
  });

  it('the v2 RFC keeps baseline\'s direct.h: the same direct map', () => {
    for (const v of ['v2-p1', 'v2-p4'])
      expect(drive(spec(v, 'cca', 'coherent=1', [SESSION]), [[0, 'CALL']]).text(0)).toEqual(['dma addr heap0 decrypted', 'return direct mapping']);
  });
});

describe('v7.3 (direct.c 63e62b63, swiotlb.c 04a19b35)', () => {
  it('a restricted pool bounces the shared buffer: the slot gets the pool\'s encoding (cc_shared: unencrypted)', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1,pool=own', [SESSION]), [[0, 'CALL'], [0, 'BOUNCE_MAPPED'], [0, 'CALL'], [0, 'BOUNCE_UNMAPPED']]);
    expect(d.texts()).toEqual([
      [],
      ['take pool0.slot0 (swiotlb_map) DEC', 'dma addr pool0.slot0 decrypted', 'return bounced mapping pool0.slot0'],
      [],
      ['give back pool0.slot0 to restricted-pool (swiotlb_tbl_unmap_single) DEC', 'return void'],
    ]);
    expect(d.page('heap0').dma).toBe('none');
    expect(d.steps.map((_, i) => violations(d, i))).toEqual([[], [], [], []]);
  });

  it('a pool that is not cc_shared gives the encrypted encoding of its encrypted slot (swiotlb overrides the attr)', () => {
    const s = { ...spec('v7.3', 'cca', 'coherent=0,pool=own', [SESSION]), platform: { ...platformById('cca')!, ccMemEncrypt: false } };
    const d = drive(s, [[0, 'CALL'], [0, 'BOUNCE_MAPPED']]);
    expect(d.text(1)).toEqual(['take pool0.slot0 (swiotlb_map) ENC', 'dma addr pool0.slot0 encrypted', 'return bounced mapping pool0.slot0']);
    expect(violations(d, 1)).toEqual([]);
  });

  it('a failed bounce is DMA_MAPPING_ERROR', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1,pool=own', [SESSION]), [[0, 'CALL'], [0, 'BOUNCE_MAP_FAILED']]);
    expect(d.text(1)).toEqual(['failed swiotlb_map', 'return NULL']);
  });

  it('without a restricted pool: no bounce (dma_capable() accepts the shared address), the unencrypted encoding', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1', [SESSION]), [[0, 'CALL'], [0, 'CALL']]);
    expect(d.texts()).toEqual([['dma addr heap0 decrypted', 'return direct mapping'], ['return void']]);
    expect(violations(d, 0)).toEqual([]);
  });

  it('on the SME host a device above the C-bit, which baseline refuses (no force_bounce), is mapped directly', () => {
    expect(drive(spec('v7.3', 'sme-host', 'mask=above', [SESSION]), [[0, 'CALL']]).text(0)).toEqual(['dma addr heap0 decrypted', 'return direct mapping']);
  });

  it('a device whose probe failed has no restricted pool: mapped directly', () => {
    const d = drive(spec('v7.3', 'cca', 'coherent=1,pool=own', [['rmem_swiotlb_device_init', ...SESSION]]), [
      [0, 'CALL'], [0, 'NOT_IN_SWIOTLB_POOL'], [0, 'SET_DECRYPTED_FAILED'], [0, 'CALL'],
    ]);
    expect(d.text(3)).toEqual(['dma addr heap0 decrypted', 'return direct mapping']);
  });
});

describe('jgg-flags: the shared attr is the phys\'s flag (DEC)', () => {
  it('a restricted pool bounces; otherwise the unencrypted encoding of the flag', () => {
    expect(offersAfterCall(spec('jgg-flags', 'cca', 'coherent=1,pool=own', [SESSION]))).toEqual(['BOUNCE_MAPPED', 'BOUNCE_MAP_FAILED']);
    expect(drive(spec('jgg-flags', 'cca', 'coherent=1', [SESSION]), [[0, 'CALL']]).text(0)).toEqual(['dma addr heap0 decrypted', 'return direct mapping']);
  });
});

describe('a wrong encoding is seen', () => {
  /** baseline's shared map with phys_to_dma() (the encrypted encoding) in place of phys_to_dma_unencrypted() */
  function encryptedEncoding(): DmaMachine {
    const config = dmaDirectMapPhysShared.config as unknown as { states: Record<string, Record<string, unknown>> };
    return dmaSetup.createMachine({
      ...(config as object),
      states: { ...config.states, mappingShared: { ...config.states['mappingShared'], always: [{ target: 'returnShared' }] } },
    } as never) as DmaMachine;
  }

  it('the decrypted buffer given the encrypted DMA address violates no-decrypted-mapped-encrypted', () => {
    const s = spec('baseline', 'cca', 'coherent=1', [SESSION]);
    const mutated = { ...s, version: { ...s.version, machines: { ...s.version.machines, dma_map_phys_cc_shared: dmaMapPhysCcShared(encryptedEncoding(), 'classic') } } };
    const d = drive(mutated, [[0, 'CALL']]);
    expect(d.text(0)).toEqual(['dma addr heap0 encrypted', 'return direct mapping']);
    expect(violations(d, 0)).toEqual(['no-decrypted-mapped-encrypted (effective)']);
  });
});
