/**
 * A decrypted page must not be aliased with an encrypted prot, nor handed
 * to the device with the encrypted DMA encoding: CPU and device would
 * disagree with the host about the page's contents. Effective when the
 * platform's pgprot_decrypted() (for aliases) or DMA encodings (for
 * addresses) really differ. An alias only its creator can reach (the
 * atomic pool's growth page before gen_pool_add_virt() publishes it) is
 * not judged until it is published.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';
import { Attr, Enc, Loc } from '../models/vocabulary.ts';
import { Severity, severity, type Property } from './property.ts';

export const noDecryptedMappedEncrypted: Property = {
  id: 'no-decrypted-mapped-encrypted',
  rule: 'a decrypted page never has an encrypted alias or an encrypted DMA address',
  check(o: Observation, platform: Platform) {
    if (o.page < 0 || o.kind === ObsKind.RETURN || o.encAfter !== Enc.DEC || o.locAfter !== Loc.USED || o.unpublished) return Severity.NONE;
    const alias = o.vmap === Attr.ENC || o.user === Attr.ENC;
    const addr = o.dma === Attr.ENC;
    if (!alias && !addr) return Severity.NONE;
    return severity((alias && platform.pgprotDecryptedDiffers) || (addr && platform.encodingsDiffer));
  },
  explain: (o, page) => {
    const what = [o.vmap === Attr.ENC && 'an encrypted vmap alias', o.user === Attr.ENC && 'an encrypted user mapping', o.dma === Attr.ENC && 'an encrypted DMA address'].filter(Boolean).join(' and ');
    return `${page} is decrypted but has ${what}`;
  },
};
