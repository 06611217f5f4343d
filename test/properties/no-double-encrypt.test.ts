import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Enc } from '../../models/vocabulary.ts';
import { noDoubleEncrypt } from '../../properties/no-double-encrypt.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-double-encrypt', () => {
  const encryptEnc = obs({ kind: ObsKind.SET_ENCRYPTED, fn: 'set_memory_encrypted', encBefore: Enc.ENC, encAfter: Enc.ENC });

  it('flags set_memory_encrypted() on an encrypted page as effective where memory encryption is active', () => {
    expect(noDoubleEncrypt.check(encryptEnc, platform('tdx'))).toBe(Severity.EFFECTIVE);
    expect(noDoubleEncrypt.check(encryptEnc, platform('s390-pv'))).toBe(Severity.EFFECTIVE);
  });

  it('flags it as latent where set_memory_*() are stubs', () => {
    expect(noDoubleEncrypt.check(encryptEnc, platform('plain-x86'))).toBe(Severity.LATENT);
  });

  it('accepts re-encrypting a decrypted or unknown page', () => {
    expect(noDoubleEncrypt.check({ ...encryptEnc, encBefore: Enc.DEC }, platform('tdx'))).toBe(Severity.NONE);
    expect(noDoubleEncrypt.check({ ...encryptEnc, encBefore: Enc.UNKNOWN }, platform('tdx'))).toBe(Severity.NONE);
  });

  it('does not confuse a decrypt of an encrypted page with a double encrypt', () => {
    expect(noDoubleEncrypt.check({ ...encryptEnc, kind: ObsKind.SET_DECRYPTED }, platform('tdx'))).toBe(Severity.NONE);
  });

  it('names the page in its explanation', () => {
    expect(noDoubleEncrypt.explain(encryptEnc, 'buddy0')).toBe('set_memory_encrypted() on buddy0, which is already encrypted');
  });
});
