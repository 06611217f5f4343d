import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc, Home, Loc } from '../../models/vocabulary.ts';
import { pageOwnership } from '../../properties/page-ownership.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('page-ownership', () => {
  const p = pageOwnership;
  const cca = platform('cca');
  const free = obs({ kind: ObsKind.GIVE_BACK, fn: 'dma_free_contiguous', thread: 1, holderBefore: 1, locBefore: Loc.USED, home: Home.BUDDY, dest: Home.BUDDY, locAfter: Loc.FREE });

  it('accepts a page freed once, by its holder, to its own allocator', () => {
    expect(p.check(free, cca)).toBe(Severity.NONE);
  });

  it('flags a double free and a free by a thread that does not hold the page', () => {
    expect(p.check({ ...free, locBefore: Loc.FREE }, cca)).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...free, locBefore: Loc.LEAKED }, cca)).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...free, holderBefore: 0 }, cca)).toBe(Severity.EFFECTIVE);
  });

  it('flags a pool page freed into the buddy allocator', () => {
    const wrong = { ...free, home: Home.ATOMIC_POOL, dest: Home.BUDDY, locAfter: Loc.IN_BUDDY };
    expect(p.check(wrong, cca)).toBe(Severity.EFFECTIVE);
    expect(p.explain(wrong, 'chunk0')).toBe('chunk0 (atomic-pool) is freed into the buddy allocator');
  });

  it('flags set_memory_*() on a page the caller does not hold (use after free)', () => {
    const enc = obs({ kind: ObsKind.SET_ENCRYPTED, fn: 'set_memory_encrypted', thread: 0, holderBefore: 0, locBefore: Loc.USED, encBefore: Enc.DEC });
    expect(p.check(enc, cca)).toBe(Severity.NONE);
    expect(p.check({ ...enc, locBefore: Loc.FREE }, cca)).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...enc, kind: ObsKind.SET_DECRYPTED, holderBefore: 2 }, cca)).toBe(Severity.EFFECTIVE);
    expect(p.explain({ ...enc, locBefore: Loc.FREE }, 'page0')).toBe('set_memory_encrypted() on page0, which the caller does not hold (double free or use after free)');
  });

  it('flags every bogus page pointer, with its reason', () => {
    const bogus = obs({ kind: ObsKind.BOGUS_POINTER, page: -1, reason: 'the CPU address of the pool chunk is returned as its struct page *' });
    expect(p.check(bogus, platform('plain-x86'))).toBe(Severity.EFFECTIVE);
    expect(p.explain(bogus, '-')).toBe('the CPU address of the pool chunk is returned as its struct page *');
  });

  it('ignores takes, leaks and mappings', () => {
    for (const kind of [ObsKind.TAKE, ObsKind.LEAK, ObsKind.VMAP, ObsKind.DMA_ADDR])
      expect(p.check({ ...free, kind, locBefore: Loc.FREE, holderBefore: 0 }, cca)).toBe(Severity.NONE);
  });
});
