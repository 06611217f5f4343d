import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/check/trace.ts';
import { replayExitCode, replayTrace } from '../../src/trace/replay.ts';
import { renderVerdict } from '../../src/trace/render-verdict.ts';
import { checkTrace } from '../../src/trace/trace-file.ts';
import { counterexample, doubleDecrypt, edit, remap } from './fixtures.ts';

const labels = (t: Trace) => t.steps.map((s) => `${s.thread}:${s.event}${s.page ? `(${s.page})` : ''}`);

describe('replay of the baseline double decrypt (cca, restricted pool of its own)', () => {
  it('is the 3-step path alloc -> swiotlb_alloc -> set_memory_decrypted', async () => {
    const { trace } = await doubleDecrypt();
    expect(labels(trace)).toEqual(['0:CALL', '0:SWIOTLB_ALLOC_OK(pool0.slot0)', '0:SET_DECRYPTED_OK']);
  });

  it('is reproduced on baseline at step 3, exit 1', async () => {
    const { trace } = await doubleDecrypt();
    const v = replayTrace(trace, 'baseline');
    expect(v).toEqual({ verdict: 'reproduced', version: 'baseline', step: 3, extra: false, violation: 'no-double-decrypt/effective', adjustments: [] });
    expect(replayExitCode(v)).toBe(1);
    expect(replayTrace(trace)).toEqual(v);
  });

  it('is fixed on v2-p1, which no longer calls set_memory_decrypted() for a restricted pool, exit 0', async () => {
    const { trace } = await doubleDecrypt();
    const v = replayTrace(trace, 'v2-p1');
    expect(v).toEqual({
      verdict: 'fixed', version: 'v2-p1', steps: 3,
      adjustments: ['step 3: CPU0 dma_direct_alloc SET_DECRYPTED_OK dropped (dma_direct_alloc does not call set_memory_decrypted() there)'],
      // the rest of the alloc and the free, in every outcome, from where the recorded steps end
      after: { remaining: ['CPU0: dma_direct_free'], states: 4, complete: true },
    });
    expect(replayExitCode(v)).toBe(0);
  });

  it('is reproduced on v2-p3-without-p1 (patch 3 needs patch 1)', async () => {
    const { trace } = await doubleDecrypt();
    expect(replayTrace(trace, 'v2-p3-without-p1').verdict).toBe('reproduced');
  });
});

describe('replay of the remap counterexample (cca, non-coherent, no pool)', () => {
  it('is alloc -> alloc_pages_node -> remap with a decrypted prot on an encrypted page', async () => {
    const { trace } = await remap();
    expect(labels(trace)).toEqual(['0:CALL', '0:BUDDY_PAGE(page0)', '0:REMAP_OK']);
    expect(trace.message).toBe('page0 is encrypted but has a decrypted vmap alias and an unencrypted DMA address');
  });

  it('is reproduced on v2-p2 and fixed on v2-p3, which decrypts before remapping', async () => {
    const { trace } = await remap();
    expect(replayTrace(trace, 'v2-p2')).toMatchObject({ verdict: 'reproduced', step: 3 });
    expect(replayTrace(trace, 'v2-p3')).toMatchObject({
      verdict: 'fixed', version: 'v2-p3', steps: 3,
      adjustments: ['before step 3: CPU0 dma_direct_alloc SET_DECRYPTED_OK (extra: set_memory_decrypted() is not in the trace here)'],
      after: { complete: true },
    });
  });
});

describe('what is reachable after the recorded steps', () => {
  /** v2-p1 on pkvm, a non-coherent device with its own pool and an atomic gfp: CPU0 runs alloc_pages, free_pages, alloc. */
  const pkvm = async () => {
    const picked = await counterexample('v2-p1', 'pkvm', 'coherent=0,pool=own,gfp=atomic,nkm=1', 'no-decrypted-mapped-encrypted', 1, 3);
    return picked.trace;
  };

  it('says violated later, exit 1, when the recorded steps are clean on v2-p3 but the rest of the programs reaches the violation', async () => {
    const trace = await pkvm();
    expect(labels(trace)).toEqual(['0:CALL', '0:SWIOTLB_ALLOC_OK(pool0.slot0)']);
    const v = replayTrace(trace, 'v2-p3');
    expect(v).toEqual({
      verdict: 'violated later', version: 'v2-p3', steps: 2, adjustments: [],
      after: { remaining: ['CPU0: dma_direct_free_pages, dma_direct_alloc'], states: 9, complete: true },
      violations: ['no-decrypted-mapped-encrypted/latent', 'no-blocking-in-atomic/effective'],
      continuation: [
        'CPU0 dma_direct_free_pages CALL', 'CPU0 dma_direct_free_pages NOT_IN_POOL', 'CPU0 dma_direct_free_pages PAGES_FREED',
        'CPU0 dma_direct_alloc CALL', 'CPU0 dma_direct_alloc SWIOTLB_ALLOC_OK pool0.slot0', 'CPU0 dma_direct_alloc REMAP_OK',
      ],
    });
    expect(replayExitCode(v)).toBe(1);
    const text = renderVerdict(trace, v);
    expect(text).toMatch(/^violated later: on v2-p3, the 2 recorded steps run without violating any\ninvariant, but no-decrypted-mapped-encrypted \(latent\),/);
    expect(text).toContain('\n    8  CPU0 dma_direct_alloc REMAP_OK\n');
  });

  it('says fixed only when nothing is reachable from the end either', async () => {
    const { trace } = await doubleDecrypt();
    const v = replayTrace(trace, 'v2-p1');
    expect(renderVerdict(trace, v).replace(/\s+/g, ' ')).toContain('fixed: on v2-p1, the 3 recorded steps run without violating any invariant, ' +
      'and no violation is reachable from where they end: the rest of the programs (CPU0: dma_direct_free) ' +
      'was run from there in every interleaving and with every environment outcome (4 states).');
  });
});

describe('divergence', () => {
  it('reports diverged at step 3 when the trace fails a set_memory_decrypted() that v2-p1 never calls', async () => {
    const { trace } = await doubleDecrypt();
    // Hand-made: the host fails the (double) share at step 3.
    const hand = checkTrace(edit(trace, (x) => { x['steps'][2].event = 'SET_DECRYPTED_FAILED'; delete x['actions']; }), 'hand-made');
    expect(replayTrace(hand, 'baseline')).toMatchObject({ verdict: 'reproduced', step: 3 });
    const v = replayTrace(hand, 'v2-p1');
    expect(v.verdict).toBe('diverged');
    if (v.verdict !== 'diverged') return;
    expect(v.step).toBe(3);
    expect(replayExitCode(v)).toBe(3);
    expect(v.reason).toBe("the trace makes set_memory_decrypted() fail here, but CPU0's dma_direct_alloc does not call it any more");
    expect(v.recorded).toMatchObject({ step: 3, event: 'SET_DECRYPTED_FAILED', from: 'setMemoryDecrypted' });
    expect(v.offered.map((o) => `${o.thread}:${o.call}:${o.event}`)).toEqual(['0:dma_direct_free:CALL']);
    const text = renderVerdict(hand, v);
    expect(text).toMatch(/^diverged at step 3: v2-p1 cannot take the step as recorded/);
    expect(text).toContain('Recorded on baseline, step 3:');
    expect(text).toContain('-> SET_DECRYPTED_FAILED');
    expect(text).toContain('v2-p1 offers there:');
    expect(text).toContain('calls dma_direct_free()');
    expect(text.split('\n').every((l) => l.length <= 72)).toBe(true);
  });

  it('takes recorded answers in the order another version calls them, and diverges at step 4 of 5 on a failure it cannot place', async () => {
    // v2-p3-without-p1: CPU0's remap fails and re-encrypts a pool slot; CPU1 then bounces through it.
    const { trace } = await counterexample('v2-p3-without-p1', 'cca', 'coherent=0,pool=shared,gfp=blocking,nkm=0', 'no-encrypted-mapped-decrypted', 2, 2);
    expect(labels(trace)).toEqual([
      '0:CALL', '0:SWIOTLB_ALLOC_OK(slot0)', '0:SET_DECRYPTED_OK', '0:REMAP_FAILED', '0:SET_ENCRYPTED_OK', '0:PAGES_FREED', '1:CALL', '1:BOUNCE_MAPPED(slot0)',
    ]);
    // Baseline calls remap before anything else: the recorded answers are taken in its order.
    expect(replayTrace(trace, 'baseline')).toMatchObject({ verdict: 'fixed', adjustments: [
      'step 4 taken before step 3 (dma_direct_alloc calls dma_common_contiguous_remap() earlier)',
      'step 6 taken before step 3 (dma_direct_alloc calls __dma_direct_free_pages() earlier)',
      'step 3: CPU0 dma_direct_alloc SET_DECRYPTED_OK dropped (dma_direct_alloc does not call set_memory_decrypted() there)',
      'step 5: CPU0 dma_direct_alloc SET_ENCRYPTED_OK dropped (dma_direct_alloc does not call set_memory_encrypted() there)',
    ] });
    expect(replayTrace(trace, 'v2-p3').verdict).toBe('fixed');
    // Hand-made: CPU1 starts its map before CPU0's (double) decrypt fails at step 4; then CPU1 bounces through slot1.
    const hand = checkTrace(edit(trace, (x) => {
      const s = x['steps'];
      x['steps'] = [s[0], s[1], s[6], { ...s[2], event: 'SET_DECRYPTED_FAILED' }, { ...s[7], page: 'slot1' }].map((st, i) => ({ ...st, step: i + 1 }));
      x['property'] = 'no-double-decrypt';
      delete x['actions'];
    }), 'hand-made');
    expect(labels(hand)).toEqual(['0:CALL', '0:SWIOTLB_ALLOC_OK(slot0)', '1:CALL', '0:SET_DECRYPTED_FAILED', '1:BOUNCE_MAPPED(slot1)']);
    expect(replayTrace(hand)).toMatchObject({ verdict: 'reproduced', step: 4 });
    const v = replayTrace(hand, 'v2-p3');
    expect(v).toMatchObject({ verdict: 'diverged', step: 4, reason: "the trace makes set_memory_decrypted() fail here, but CPU0's dma_direct_alloc does not call it any more" });
    if (v.verdict === 'diverged')
      expect(v.offered.map((o) => `${o.thread}:${o.call}:${o.event}${o.page ? `(${o.page})` : ''}`)).toEqual([
        '0:dma_direct_free:CALL', '1:dma_direct_map_phys:BOUNCE_MAPPED(slot1)', '1:dma_direct_map_phys:BOUNCE_MAP_FAILED',
      ]);
  });
});

describe('not applicable', () => {
  it('says not applicable, exit 3, when the device configuration cannot happen', async () => {
    const { trace } = await doubleDecrypt();
    // Not through checkTrace, which refuses it as bad input on the trace's own version.
    const t = { ...trace, run: { ...trace.run, platform: 'tdx' } } as Trace;
    const v = replayTrace(t, 'v2-p1');
    expect(v).toEqual({
      verdict: 'not applicable', version: 'v2-p1', adjustments: [],
      reason: 'tdx: a restricted-dma-pool needs an OF reserved-memory node, which this platform does not have',
    });
    expect(replayExitCode(v)).toBe(3);
    expect(renderVerdict(t, v).replace(/\s+/g, ' ')).toMatch(/^not applicable: the trace cannot run on v2-p1: tdx: a restricted-dma-pool needs/);
  });
});
