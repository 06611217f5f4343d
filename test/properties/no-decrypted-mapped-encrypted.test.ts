import { describe, expect, it } from 'vitest';
import { ObsKind } from '../../models/observation.ts';
import { Attr, Enc, Loc } from '../../models/vocabulary.ts';
import { noDecryptedMappedEncrypted } from '../../properties/no-decrypted-mapped-encrypted.ts';
import { Severity } from '../../properties/property.ts';
import { obs, platform } from './observe.ts';

describe('no-decrypted-mapped-encrypted', () => {
  const p = noDecryptedMappedEncrypted;
  const encAddrOfDec = obs({ kind: ObsKind.DMA_ADDR, encAfter: Enc.DEC, locAfter: Loc.USED, attr: Attr.ENC, dma: Attr.ENC });
  const encUserOfDec = obs({ kind: ObsKind.USER_MAP, fn: 'remap_pfn_range', encAfter: Enc.DEC, locAfter: Loc.USED, attr: Attr.ENC, user: Attr.ENC });

  it('flags the encrypted DMA address of a decrypted restricted-pool slot: latent on pKVM (equal encodings), effective on CCA', () => {
    expect(p.check(encAddrOfDec, platform('pkvm'))).toBe(Severity.LATENT);
    expect(p.check(encAddrOfDec, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check(encAddrOfDec, platform('sme-host'))).toBe(Severity.EFFECTIVE);
  });

  it('does not judge the alias the atomic pool worker made of its page before gen_pool_add_virt() publishes it', () => {
    const encVmapOfDec = obs({ kind: ObsKind.SET_DECRYPTED, encAfter: Enc.DEC, locAfter: Loc.USED, vmap: Attr.ENC });
    expect(p.check(encVmapOfDec, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check({ ...encVmapOfDec, unpublished: true }, platform('cca'))).toBe(Severity.NONE);
  });

  it('flags an encrypted user mapping of a decrypted page: effective where pgprot_decrypted() differs', () => {
    expect(p.check(encUserOfDec, platform('cca'))).toBe(Severity.EFFECTIVE);
    expect(p.check(encUserOfDec, platform('hyperv'))).toBe(Severity.EFFECTIVE);
    expect(p.check(encUserOfDec, platform('pkvm'))).toBe(Severity.LATENT);
  });

  it('flags an encrypted vmap alias of a decrypted page', () => {
    expect(p.check({ ...encUserOfDec, kind: ObsKind.VMAP, user: Attr.NONE, vmap: Attr.ENC }, platform('cca'))).toBe(Severity.EFFECTIVE);
  });

  it('accepts matching attributes, and pages that are not decrypted or not in use', () => {
    expect(p.check({ ...encAddrOfDec, dma: Attr.DEC }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...encAddrOfDec, encAfter: Enc.ENC }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...encAddrOfDec, encAfter: Enc.UNKNOWN }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...encAddrOfDec, locAfter: Loc.FREE }, platform('cca'))).toBe(Severity.NONE);
    expect(p.check({ ...encAddrOfDec, kind: ObsKind.RETURN }, platform('cca'))).toBe(Severity.NONE);
    // an observation about no page
    expect(p.check({ ...encAddrOfDec, page: -1 }, platform('cca'))).toBe(Severity.NONE);
  });

  it('explains what is mismatched', () => {
    expect(p.explain({ ...encUserOfDec, dma: Attr.ENC }, 'slot0')).toBe('slot0 is decrypted but has an encrypted user mapping and an encrypted DMA address');
  });
});
