import { describe, expect, it } from 'vitest';
import { blankObservation, ObsKind, type Observation } from '../../models/observation.ts';
import { platformById } from '../../models/platforms.ts';
import { Attr, Home } from '../../models/vocabulary.ts';
import {
  DEFAULT_OBSERVABLE, OBSERVABLE_IDS, OBSERVABLE_V1, OBSERVABLE_VISIBLE_V1, observableById, stepLabels, type LabelContext,
} from '../../src/equivalence/observable.ts';

const ctx = (platform: string): LabelContext => ({ platform: platformById(platform)!, pageName: (p) => `page${p}` });
const obs = (kind: Observation['kind'], fields: Partial<Observation> = {}): Observation => ({ ...blankObservation(), kind, page: 0, ...fields });

describe('observable behaviour definitions', () => {
  it('names its definitions and their versions', () => {
    expect(OBSERVABLE_IDS).toEqual(['calls-v1', 'calls-visible-v1']);
    expect(DEFAULT_OBSERVABLE).toBe('calls-v1');
    expect(OBSERVABLE_V1.visibleVariant).toBe('calls-visible-v1');
    expect(observableById('calls-visible-v1')).toBe(OBSERVABLE_VISIBLE_V1);
    expect(observableById('nope')).toBeUndefined();
  });

  it('labels every call into the environment and every value handed out under calls-v1', () => {
    const c = ctx('cca');
    const l = (o: Observation) => OBSERVABLE_V1.label(o, c);
    expect(l(obs(ObsKind.SET_DECRYPTED, { ok: true }))).toBe('T0 set_memory_decrypted(page0) ok');
    expect(l(obs(ObsKind.SET_ENCRYPTED, { ok: false, thread: 1 }))).toBe('T1 set_memory_encrypted(page0) FAILS');
    expect(l(obs(ObsKind.TAKE, { dest: Home.RESTRICTED_POOL }))).toBe('T0 take page0 from restricted-pool');
    expect(l(obs(ObsKind.GIVE_BACK, { dest: Home.BUDDY }))).toBe('T0 give back page0 to buddy');
    expect(l(obs(ObsKind.LEAK, { reason: 'outLeakPages: not freed' }))).toBe('T0 leak page0');
    expect(l(obs(ObsKind.VMAP, { attr: Attr.DEC }))).toBe('T0 vmap page0 decrypted');
    expect(l(obs(ObsKind.VMAP, { attr: Attr.NONE }))).toBe('T0 vunmap page0');
    expect(l(obs(ObsKind.USER_MAP, { attr: Attr.ENC }))).toBe('T0 user map page0 encrypted');
    expect(l(obs(ObsKind.DMA_ADDR, { attr: Attr.DEC }))).toBe('T0 dma addr page0 unencrypted');
    expect(l(obs(ObsKind.RETURN, { result: 'vmap cpu addr' }))).toBe('T0 return vmap cpu addr page0');
    expect(l(obs(ObsKind.RETURN, { result: 'NULL', page: -1 }))).toBe('T0 return NULL');
    expect(l(obs(ObsKind.RETURN, { result: '0', fn: 'dma_direct_mmap' }))).toBe('T0 return 0');
    expect(l(obs(ObsKind.FAILED_CALL, { fn: 'alloc_pages_node' }))).toBe('T0 alloc_pages_node fails');
    expect(l(obs(ObsKind.BOGUS_POINTER, { fn: 'set_memory_encrypted', page: -1 }))).toBe('T0 bogus pointer to set_memory_encrypted');
    expect(OBSERVABLE_V1.call(1, 'dma_direct_mmap')).toBe('T1 call dma_direct_mmap');
  });

  it('hides may-sleep markers and the driver quiesce: steps of only those are internal', () => {
    const c = ctx('cca');
    expect(OBSERVABLE_V1.label(obs(ObsKind.MAY_SLEEP, { gfpBlocking: false }), c)).toBeUndefined();
    expect(OBSERVABLE_V1.label(obs(ObsKind.QUIESCE), c)).toBeUndefined();
    expect(stepLabels(OBSERVABLE_V1, undefined, [obs(ObsKind.MAY_SLEEP), obs(ObsKind.QUIESCE)], 2, c)).toEqual([]);
    expect(stepLabels(OBSERVABLE_V1, { thread: 0, entryPoint: 'dma_direct_free' }, [obs(ObsKind.QUIESCE)], 1, c)).toEqual(['T0 call dma_direct_free']);
  });

  it('drops under calls-visible-v1 what the platform makes invisible', () => {
    const pkvm = ctx('pkvm');
    const cca = ctx('cca');
    const tdx = ctx('tdx');
    const v = OBSERVABLE_VISIBLE_V1;
    // pKVM: pgprot_decrypted() is the identity and the encodings are equal.
    expect(v.label(obs(ObsKind.DMA_ADDR, { attr: Attr.DEC }), pkvm)).toBe('T0 dma addr page0');
    expect(v.label(obs(ObsKind.USER_MAP, { attr: Attr.DEC }), pkvm)).toBe('T0 user map page0');
    expect(v.label(obs(ObsKind.SET_DECRYPTED, { ok: true }), pkvm)).toBe('T0 set_memory_decrypted(page0) ok');
    // CCA: both differ.
    expect(v.label(obs(ObsKind.DMA_ADDR, { attr: Attr.DEC }), cca)).toBe('T0 dma addr page0 unencrypted');
    expect(v.label(obs(ObsKind.VMAP, { attr: Attr.DEC }), cca)).toBe('T0 vmap page0 decrypted');
    // TDX: the prot differs, the encodings do not.
    expect(v.label(obs(ObsKind.VMAP, { attr: Attr.DEC }), tdx)).toBe('T0 vmap page0 decrypted');
    expect(v.label(obs(ObsKind.DMA_ADDR, { attr: Attr.DEC }), tdx)).toBe('T0 dma addr page0');
    // No memory encryption: set_memory_*() are stubs.
    expect(v.label(obs(ObsKind.SET_DECRYPTED, { ok: true }), ctx('plain-arm64'))).toBeUndefined();
  });
});
