import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc } from '../../models/vocabulary.ts';
import { noDoubleDecrypt } from '../../properties/no-double-decrypt.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-double-decrypt', () => {
  const decryptDec = obs({ kind: ObsKind.SET_DECRYPTED, fn: 'set_memory_decrypted', encBefore: Enc.DEC, encAfter: Enc.DEC });

  it('flags set_memory_decrypted() on a decrypted page as effective where memory encryption is active', () => {
    expect(noDoubleDecrypt.check(decryptDec, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(noDoubleDecrypt.check(decryptDec, platform('pkvm'))).toBe(Severity.EFFECTIVE);
  });

  it('flags it as latent where set_memory_*() are stubs', () => {
    expect(noDoubleDecrypt.check(decryptDec, platform('plain-arm64'))).toBe(Severity.LATENT);
  });

  it('accepts decrypting an encrypted page, and decrypting again a page a failed call left UNKNOWN', () => {
    expect(noDoubleDecrypt.check({ ...decryptDec, encBefore: Enc.ENC }, platform('cca'))).toBe(Severity.NONE);
    // not known to be decrypted: a retry after a failure is no double decrypt
    expect(noDoubleDecrypt.check({ ...decryptDec, encBefore: Enc.UNKNOWN, encAfter: Enc.DEC, ok: true }, platform('tdx'))).toBe(Severity.NONE);
  });

  it('ignores other observations of a decrypted page', () => {
    for (const kind of [ObsKind.SET_ENCRYPTED, ObsKind.TAKE, ObsKind.VMAP, ObsKind.RETURN])
      expect(noDoubleDecrypt.check({ ...decryptDec, kind }, platform('cca'))).toBe(Severity.NONE);
  });

  it('names the page in its explanation', () => {
    expect(noDoubleDecrypt.explain(decryptDec, 'pool0.slot0')).toBe('set_memory_decrypted() on pool0.slot0, which is already decrypted');
  });
});
