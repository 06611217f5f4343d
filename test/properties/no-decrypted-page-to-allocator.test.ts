import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc, Home, Loc } from '../../models/vocabulary.ts';
import { noDecryptedPageToAllocator } from '../../properties/no-decrypted-page-to-allocator.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-decrypted-page-to-allocator', () => {
  const p = noDecryptedPageToAllocator;
  const freeDec = obs({ kind: ObsKind.GIVE_BACK, fn: 'dma_free_contiguous', home: Home.BUDDY, dest: Home.BUDDY, locBefore: Loc.USED, encAfter: Enc.DEC, locAfter: Loc.FREE });

  it('flags a decrypted or unknown page freed to the buddy allocator or CMA: effective with memory encryption', () => {
    expect(p.check(freeDec, platform('sev'))).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...freeDec, encAfter: Enc.UNKNOWN }, platform('tdx'))).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...freeDec, home: Home.CMA_HIGHMEM, dest: Home.CMA_HIGHMEM }, platform('cca'))).toBe(Severity.EFFECTIVE);
  });

  it('is latent where set_memory_*() are stubs', () => {
    expect(p.check(freeDec, platform('plain-arm64'))).toBe(Severity.LATENT);
  });

  it('flags a pool page released into the buddy allocator while decrypted', () => {
    expect(p.check({ ...freeDec, home: Home.ATOMIC_POOL }, platform('cca'))).toBe(Severity.EFFECTIVE);
  });

  it('accepts encrypted pages, and decrypted pages going back to their pool', () => {
    expect(p.check({ ...freeDec, encAfter: Enc.ENC }, platform('sev'))).toBe(Severity.NONE);
    expect(p.check({ ...freeDec, home: Home.RESTRICTED_POOL, dest: Home.RESTRICTED_POOL }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...freeDec, home: Home.ATOMIC_POOL, dest: Home.ATOMIC_POOL }, platform('cca'))).toBe(Severity.NONE);
  });

  it('explains the state the page was freed in', () => {
    expect(p.explain(freeDec, 'page0')).toBe('page0 goes back to the page allocator while decrypted');
    expect(p.explain({ ...freeDec, encAfter: Enc.UNKNOWN }, 'page0')).toBe('page0 goes back to the page allocator while in an unknown state');
  });
});
