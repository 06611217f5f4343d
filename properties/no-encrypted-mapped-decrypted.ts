/**
 * A page that is encrypted (or in an unknown state after a failed
 * set_memory_*) must not have an alias with a decrypted prot, nor a DMA
 * address with the unencrypted encoding: the host or device would see
 * ciphertext, or the guest would leak a private page's contents.
 * Effective when the platform's pgprot_decrypted() (for aliases) or DMA
 * encodings (for addresses) really differ. An alias only its creator can
 * reach (the atomic pool's growth page before gen_pool_add_virt()
 * publishes it) is not judged until it is published.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';
import { Attr, Enc, Loc } from '../models/vocabulary.ts';
import { Severity, severity, type Property } from './property.ts';

export const noEncryptedMappedDecrypted: Property = {
  id: 'no-encrypted-mapped-decrypted',
  rule: 'an encrypted page never has a decrypted alias or an unencrypted DMA address',
  check(o: Observation, platform: Platform) {
    if (o.page < 0 || o.kind === ObsKind.RETURN || o.encAfter === Enc.DEC || o.locAfter !== Loc.USED || o.unpublished) return Severity.NONE;
    const alias = o.vmap === Attr.DEC || o.user === Attr.DEC;
    const addr = o.dma === Attr.DEC;
    if (!alias && !addr) return Severity.NONE;
    return severity((alias && platform.pgprotDecryptedDiffers) || (addr && platform.encodingsDiffer));
  },
  explain: (o, page) => {
    const what = [o.vmap === Attr.DEC && 'a decrypted vmap alias', o.user === Attr.DEC && 'a decrypted user mapping', o.dma === Attr.DEC && 'an unencrypted DMA address'].filter(Boolean).join(' and ');
    return `${page} is ${o.encAfter === Enc.ENC ? 'encrypted' : 'in an unknown state'} but has ${what}`;
  },
};
