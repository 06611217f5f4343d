import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc, Loc } from '../../models/vocabulary.ts';
import { leakOnlyOnSetMemoryFailure } from '../../properties/leak-only-on-set-memory-failure.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('leak-only-on-set-memory-failure', () => {
  const p = leakOnlyOnSetMemoryFailure;
  const leak = obs({ kind: ObsKind.LEAK, locBefore: Loc.USED, locAfter: Loc.LEAKED, reason: 'outLeakPages: not freed' });

  it('allows leaking a page left UNKNOWN by a failed set_memory_*()', () => {
    expect(p.check({ ...leak, encBefore: Enc.ENC, encAfter: Enc.UNKNOWN }, platform('tdx'))).toBe(Severity.NONE);
  });

  it('flags leaking a page in a known state, on every platform', () => {
    for (const id of ['tdx', 'plain-x86'])
      for (const enc of [Enc.ENC, Enc.DEC]) expect(p.check({ ...leak, encBefore: enc, encAfter: enc }, platform(id))).toBe(Severity.EFFECTIVE);
  });

  it('ignores observations that are not leaks', () => {
    expect(p.check({ ...leak, kind: ObsKind.GIVE_BACK, encAfter: Enc.DEC }, platform('tdx'))).toBe(Severity.NONE);
  });

  it('explains with the reason of the leak', () => {
    expect(p.explain({ ...leak, reason: 'lost: the caller holds no pointer to it' }, 'chunk0'))
      .toBe('chunk0 is leaked although no set_memory_*() call on it failed (lost: the caller holds no pointer to it)');
  });
});
