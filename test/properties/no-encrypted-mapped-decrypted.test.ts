import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Attr, Enc, Loc } from '../../models/vocabulary.ts';
import { noEncryptedMappedDecrypted } from '../../properties/no-encrypted-mapped-decrypted.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-encrypted-mapped-decrypted', () => {
  const p = noEncryptedMappedDecrypted;
  const decVmapOfEnc = obs({ kind: ObsKind.VMAP, fn: 'dma_common_contiguous_remap', encAfter: Enc.ENC, locAfter: Loc.USED, attr: Attr.DEC, vmap: Attr.DEC });
  const decAddrOfEnc = obs({ kind: ObsKind.DMA_ADDR, encAfter: Enc.ENC, locAfter: Loc.USED, attr: Attr.DEC, dma: Attr.DEC });

  it('flags a decrypted vmap alias of an encrypted page: effective where pgprot_decrypted() differs, latent where it is the identity', () => {
    expect(p.check(decVmapOfEnc, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check(decVmapOfEnc, platform('tdx'))).toBe(Severity.EFFECTIVE);
    expect(p.check(decVmapOfEnc, platform('pkvm'))).toBe(Severity.LATENT);
    expect(p.check(decVmapOfEnc, platform('s390-pv'))).toBe(Severity.LATENT);
  });

  it('flags an unencrypted DMA address of an encrypted page: effective only where the encodings differ', () => {
    expect(p.check(decAddrOfEnc, platform('sev'))).toBe(Severity.EFFECTIVE);
    expect(p.check(decAddrOfEnc, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check(decAddrOfEnc, platform('tdx'))).toBe(Severity.LATENT);
    expect(p.check(decAddrOfEnc, platform('pkvm'))).toBe(Severity.LATENT);
  });

  it('does not judge the alias the atomic pool worker made of its page before gen_pool_add_virt() publishes it', () => {
    expect(p.check({ ...decVmapOfEnc, unpublished: true }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...decVmapOfEnc, encAfter: Enc.UNKNOWN, unpublished: true }, platform('cca'))).toBe(Severity.NONE);
  });

  it('flags a decrypted user mapping, and treats an UNKNOWN page like an encrypted one', () => {
    expect(p.check({ ...decVmapOfEnc, kind: ObsKind.USER_MAP, vmap: Attr.NONE, user: Attr.DEC }, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...decVmapOfEnc, encAfter: Enc.UNKNOWN }, platform('cca'))).toBe(Severity.EFFECTIVE);
  });

  it('is effective when either the alias or the address mismatch is observable', () => {
    const both = { ...decVmapOfEnc, dma: Attr.DEC };
    expect(p.check(both, platform('tdx'))).toBe(Severity.EFFECTIVE); // alias observable, address not
    expect(p.check(both, platform('ppc-svm'))).toBe(Severity.LATENT);
  });

  it('accepts decrypted aliases of decrypted pages, encrypted aliases of encrypted pages, and free pages', () => {
    expect(p.check({ ...decVmapOfEnc, encAfter: Enc.DEC }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...decVmapOfEnc, attr: Attr.ENC, vmap: Attr.ENC }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...decVmapOfEnc, locAfter: Loc.FREE }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...decVmapOfEnc, page: -1 }, platform('cca'))).toBe(Severity.NONE);
  });

  it('does not judge RETURN observations (the hand-out was judged when it happened)', () => {
    expect(p.check({ ...decVmapOfEnc, kind: ObsKind.RETURN }, platform('cca'))).toBe(Severity.NONE);
  });

  it('explains what is mismatched', () => {
    expect(p.explain({ ...decVmapOfEnc, dma: Attr.DEC }, 'page0')).toBe('page0 is encrypted but has a decrypted vmap alias and an unencrypted DMA address');
    expect(p.explain({ ...decAddrOfEnc, encAfter: Enc.UNKNOWN }, 'page0')).toBe('page0 is in an unknown state but has an unencrypted DMA address');
  });
});
