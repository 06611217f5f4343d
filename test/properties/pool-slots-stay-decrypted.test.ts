import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc, Home, Loc } from '../../models/vocabulary.ts';
import { poolSlotsStayDecrypted } from '../../properties/pool-slots-stay-decrypted.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('pool-slots-stay-decrypted', () => {
  const p = poolSlotsStayDecrypted;
  // a slot of a pool set up decrypted (the world sets setUpEnc from the page's pool)
  const slotBack = obs({ kind: ObsKind.GIVE_BACK, fn: 'swiotlb_free', home: Home.RESTRICTED_POOL, dest: Home.RESTRICTED_POOL, locBefore: Loc.USED, locAfter: Loc.FREE, setUpEnc: Enc.DEC });

  it('flags a restricted-pool slot returned encrypted where pools are set up decrypted', () => {
    expect(p.check({ ...slotBack, encAfter: Enc.ENC }, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...slotBack, encAfter: Enc.UNKNOWN }, platform('pkvm'))).toBe(Severity.EFFECTIVE);
  });

  it('accepts a slot returned decrypted', () => {
    expect(p.check({ ...slotBack, encAfter: Enc.DEC }, platform('cca'))).toBe(Severity.NONE);
  });

  it('applies to swiotlb slots and atomic-pool chunks too', () => {
    for (const home of [Home.SWIOTLB, Home.ATOMIC_POOL])
      expect(p.check({ ...slotBack, home, dest: home, encAfter: Enc.ENC }, platform('sev'))).toBe(Severity.EFFECTIVE);
  });

  it('expects the state the pool was set up in: encrypted where it was never decrypted (stubs, or a v7.3 pool that is not cc_shared)', () => {
    expect(p.check({ ...slotBack, setUpEnc: Enc.ENC, encAfter: Enc.ENC }, platform('plain-arm64'))).toBe(Severity.NONE);
    expect(p.check({ ...slotBack, setUpEnc: Enc.ENC, encAfter: Enc.DEC }, platform('plain-arm64'))).toBe(Severity.EFFECTIVE);
  });

  it('ignores pages going to the buddy allocator or CMA (another property judges those)', () => {
    expect(p.check({ ...slotBack, dest: Home.BUDDY, encAfter: Enc.ENC }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...slotBack, dest: Home.CMA_HIGHMEM, encAfter: Enc.ENC }, platform('cca'))).toBe(Severity.NONE);
  });

  it('explains the state the slot came back in', () => {
    expect(p.explain({ ...slotBack, encAfter: Enc.ENC }, 'pool0.slot0')).toBe('pool0.slot0 goes back to its pool encrypted');
  });
});
