/**
 * Scenario tests of the pools' own set-up, as the environment steps that
 * interleave with the drivers' calls: a restricted pool's set-up at the
 * device's probe (rmem_swiotlb_device_init) and the atomic pool's expansion
 * by its worker (atomic_pool_expand), each with set_memory_decrypted()
 * failing, on baseline and on v7.3. Each schedule is checked step by step
 * (see test/helpers/drive.ts), and the verdicts the checker explores for
 * the same device are pinned.
 */
import { describe, expect, it } from 'vitest';
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import { drive, spec, stepViolations as violations, successorsOf } from '../helpers/drive.ts';

const PROBE = 'rmem_swiotlb_device_init';
const WORKER = 'atomic_pool_expand';

/** Verdict per property (`id: holds` or `id: N runs, shortest D`) of one version on one platform and device. */
async function verdicts(version: string, platform: string, device: string, entryPoints: string): Promise<string[]> {
  const r = await verify({ selection: parseSelection({ versions: version, platforms: platform, device, entryPoints, threads: 1, calls: 2 }), workers: 0 });
  return r.results.map((p) => (p.violations.length === 0 ? `${p.property}: holds`
    : `${p.property}: ${p.violations.reduce((n, g) => n + g.runs, 0)} runs, shortest ${Math.min(...p.violations.map((g) => g.depth))}`));
}

describe('restricted-pool set-up with set_memory_decrypted() failing', () => {
  const probeFails = [[0, 'CALL'], [0, 'NOT_IN_SWIOTLB_POOL'], [0, 'SET_DECRYPTED_FAILED']] as const;

  it('baseline ignores the failure: the pool is set up on memory of unknown state and the device allocates from it', () => {
    const d = drive(spec('baseline', 'cca', 'pool=own', [[PROBE, 'alloc', 'free']]), [...probeFails, [0, 'POOL_ADDED']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted pool0.slot0 failed ENC->UNKNOWN']);
    expect(d.text(3)).toEqual(['give back pool0.slot0 to restricted-pool (add_mem_pool) UNKNOWN', 'return 0']);
    expect(violations(d, 3)).toEqual(['pool-slots-stay-decrypted (effective)']);
    expect(d.page('pool0.slot0')).toMatchObject({ loc: 'free', enc: 'UNKNOWN' });
    // the device keeps its restricted pool: the allocation is offered the slot of unknown state
    const next = successorsOf(d.model, drive(spec('baseline', 'cca', 'pool=own', [[PROBE, 'alloc', 'free']]), [...probeFails, [0, 'POOL_ADDED'], [0, 'CALL']]).steps[4]!.state);
    expect(next.map((c) => c.event)).toEqual(['SWIOTLB_ALLOC_OK', 'SWIOTLB_ALLOC_FAILED']);
  });

  it('baseline: the slot of unknown state is handed to the device with the unencrypted DMA encoding', () => {
    const d = drive(spec('baseline', 'cca', 'pool=own', [[PROBE, 'alloc', 'free']]), [
      ...probeFails, [0, 'POOL_ADDED'], [0, 'CALL'], [0, 'SWIOTLB_ALLOC_OK'], [0, 'SET_DECRYPTED_OK'],
    ]);
    expect(d.text(6)).toContain('dma addr pool0.slot0 decrypted');
    expect(d.page('pool0.slot0').enc).toBe('DEC');
  });

  it('v7.3 fails the probe: rmem->priv stays NULL, the device has no restricted pool and allocates from the page allocator', () => {
    const d = drive(spec('v7.3', 'cca', 'pool=own', [[PROBE, 'alloc', 'free']]), [...probeFails, [0, 'CALL']]);
    expect(d.text(2)).toEqual(['set_memory_decrypted pool0.slot0 failed ENC->UNKNOWN', 'return error']);
    expect(violations(d, 2)).toEqual([]);
    expect(d.page('pool0.slot0')).toMatchObject({ loc: 'free', enc: 'UNKNOWN' });
    expect(d.world.poolDetached(0)).toBe(true);
    // R is false now: dma_direct_alloc takes a buddy page (and decrypts it, F being true on CCA)
    expect(successorsOf(d.model, d.steps[3]!.state).map((c) => c.event)).toEqual(['BUDDY_PAGE', 'BUDDY_FAILED']);
  });

  it('v7.3: the next device to attach to a shared region decrypts it again, from its unknown state, and gets the pool', () => {
    const d = drive(spec('v7.3', 'cca', 'pool=shared', [[PROBE, 'alloc'], [PROBE, 'alloc']]), [
      ...probeFails, [1, 'CALL'], [1, 'NOT_IN_SWIOTLB_POOL'], [1, 'SET_DECRYPTED_OK'], [1, 'POOL_ADDED'],
    ]);
    expect(d.text(5)).toEqual(['set_memory_decrypted slot0 ok UNKNOWN->DEC', 'set_memory_decrypted slot1 ok UNKNOWN->DEC']);
    expect(violations(d, 5)).toEqual([]);
    expect([d.world.poolDetached(0), d.world.poolDetached(1)]).toEqual([true, false]);
  });

  it('a second probe of a shared region waits while the first sets it up, then attaches without decrypting', () => {
    const s = spec('baseline', 'cca', 'pool=shared', [[PROBE, 'alloc'], [PROBE, 'alloc']]);
    const d = drive(s, [[0, 'CALL'], [0, 'NOT_IN_SWIOTLB_POOL'], [1, 'CALL']]);
    expect(successorsOf(d.model, d.steps[2]!.state).map((c) => `${c.thread}:${c.event}`)).toEqual(['0:SET_DECRYPTED_OK', '0:SET_DECRYPTED_FAILED']);
    const e = drive(s, [[0, 'CALL'], [0, 'NOT_IN_SWIOTLB_POOL'], [1, 'CALL'], [0, 'SET_DECRYPTED_OK'], [0, 'POOL_ADDED'], [1, 'SWIOTLB_POOL_FOUND']]);
    expect(e.text(5)).toEqual(['return 0']);
  });

  it('explores the failure: baseline breaks pool-slots-stay-decrypted on CCA, v7.3 keeps it', async () => {
    const eps = `${PROBE},dma_direct_alloc,dma_direct_free`;
    const base = await verdicts('baseline', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', eps);
    expect(base).toContain('pool-slots-stay-decrypted: 1 runs, shortest 4');
    const v73 = await verdicts('v7.3', 'cca', 'coherent=1,pool=own,gfp=blocking,nkm=0', eps);
    expect(v73).toContain('pool-slots-stay-decrypted: holds');
  });
});

describe('atomic pool expansion with set_memory_decrypted() or gen_pool_add_virt() failing', () => {
  const run = (version: string, platform: string) => spec(version, platform, 'gfp=atomic', [['alloc', 'free'], [WORKER]]);

  it('baseline under DMA_DIRECT_REMAP (CCA): a failed decrypt frees the page, maybe partly shared, to the page allocator', () => {
    const d = drive(run('baseline', 'cca'), [[1, 'CALL'], [1, 'BUDDY_PAGE'], [1, 'REMAP_OK'], [1, 'SET_DECRYPTED_FAILED'], [1, 'VUNMAPPED'], [1, 'PAGES_FREED']]);
    expect(d.text(5)).toEqual(['give back grow0 to buddy (__free_pages) UNKNOWN', 'return 0']);
    expect(violations(d, 5)).toEqual(['no-decrypted-page-to-allocator (effective)']);
  });

  it('baseline without DMA_DIRECT_REMAP (SEV): a failed gen_pool_add_virt() re-encrypts, then leaks the page and returns 0', () => {
    const d = drive(run('baseline', 'sev'), [[1, 'CALL'], [1, 'BUDDY_PAGE'], [1, 'SET_DECRYPTED_OK'], [1, 'POOL_ADD_FAILED'], [1, 'SET_ENCRYPTED_OK']]);
    expect(d.thread(1).at).toBe('idle');
    expect(d.text(4)).toEqual(['set_memory_encrypted grow0 ok DEC->ENC', 'leak grow0 ENC', 'return 0']);
    expect(violations(d, 4)).toEqual(['leak-only-on-set-memory-failure (effective)']);
  });

  it('v7.3 (CCA): a failed decrypt unmaps and leaks the page; nothing reaches the allocator', () => {
    const d = drive(run('v7.3', 'cca'), [[1, 'CALL'], [1, 'BUDDY_PAGE'], [1, 'REMAP_OK'], [1, 'SET_DECRYPTED_FAILED'], [1, 'VUNMAPPED']]);
    expect(d.text(4)).toEqual(['vmap grow0 none', 'leak grow0 UNKNOWN', 'return 0']);
    expect(violations(d, 4)).toEqual([]);
  });

  it('v7.3 (SEV): a failed gen_pool_add_virt() re-encrypts and frees the page', () => {
    const d = drive(run('v7.3', 'sev'), [[1, 'CALL'], [1, 'BUDDY_PAGE'], [1, 'SET_DECRYPTED_OK'], [1, 'POOL_ADD_FAILED'], [1, 'SET_ENCRYPTED_OK'], [1, 'PAGES_FREED']]);
    expect(d.text(5)).toEqual(['give back grow0 to buddy (__free_pages) ENC', 'return 0']);
    expect(violations(d, 5)).toEqual([]);
  });

  it('a chunk the worker added is handed out like the boot chunks', () => {
    const d = drive(run('v7.3', 'cca'), [[1, 'CALL'], [1, 'BUDDY_PAGE'], [1, 'REMAP_OK'], [1, 'SET_DECRYPTED_OK'], [1, 'POOL_ADDED'], [0, 'CALL']]);
    expect(d.page('grow0')).toMatchObject({ loc: 'free', enc: 'DEC', vmap: 'decrypted' });
    expect(successorsOf(d.model, d.steps[5]!.state).map((c) => c.event)).toContain('POOL_ALLOC_OK');
  });

  it('explores the failures: baseline breaks no-decrypted-page-to-allocator on CCA and leak-only-on-set-memory-failure on SEV, v7.3 keeps both', async () => {
    const eps = `dma_direct_alloc,dma_direct_free,${WORKER}`;
    const dev = 'coherent=1,pool=none,gfp=atomic,nkm=0';
    expect(await verdicts('baseline', 'cca', dev, eps)).toContain('no-decrypted-page-to-allocator: 1 runs, shortest 6');
    expect((await verdicts('baseline', 'sev', dev, eps)).find((v) => v.startsWith('leak-only-on-set-memory-failure'))).toMatch(/runs, shortest 5$/);
    const v73 = [...await verdicts('v7.3', 'cca', dev, eps), ...await verdicts('v7.3', 'sev', dev, eps)];
    expect(v73.filter((v) => v.startsWith('no-decrypted-page-to-allocator') || v.startsWith('leak-only'))).toEqual([
      'leak-only-on-set-memory-failure: holds', 'no-decrypted-page-to-allocator: holds',
      'leak-only-on-set-memory-failure: holds', 'no-decrypted-page-to-allocator: holds',
    ]);
  });
});
