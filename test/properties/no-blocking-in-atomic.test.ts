import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { noBlockingInAtomic } from '../../properties/no-blocking-in-atomic.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-blocking-in-atomic', () => {
  const p = noBlockingInAtomic;
  const sleep = obs({ kind: ObsKind.MAY_SLEEP, fn: 'dma_common_contiguous_remap' });

  it('flags a call that may sleep under a non-blocking gfp, on every platform', () => {
    for (const id of ['plain-arm64', 'cca']) expect(p.check({ ...sleep, gfpBlocking: false }, platform(id))).toBe(Severity.EFFECTIVE);
  });

  it('accepts it under a blocking gfp', () => {
    expect(p.check({ ...sleep, gfpBlocking: true }, platform('cca'))).toBe(Severity.NONE);
  });

  it('ignores observations that do not sleep', () => {
    expect(p.check({ ...sleep, kind: ObsKind.TAKE, gfpBlocking: false }, platform('cca'))).toBe(Severity.NONE);
  });

  it('names the sleeping call', () => {
    expect(p.explain({ ...sleep, gfpBlocking: false }, 'page0')).toBe("dma_common_contiguous_remap() may sleep, but the allocation's gfp does not allow blocking");
  });
});
