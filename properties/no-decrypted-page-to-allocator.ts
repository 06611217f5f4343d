/**
 * A page returned to the buddy allocator or CMA must be encrypted: a
 * decrypted or unknown page would be handed to the next user still shared
 * with the host.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';
import { Enc, Home } from '../models/vocabulary.ts';
import { Severity, severity, type Property } from './property.ts';

export const noDecryptedPageToAllocator: Property = {
  id: 'no-decrypted-page-to-allocator',
  rule: 'no decrypted or unknown page is returned to the buddy allocator or CMA',
  check(o: Observation, platform: Platform) {
    if (o.kind !== ObsKind.GIVE_BACK || (o.dest !== Home.BUDDY && o.dest !== Home.CMA_HIGHMEM) || o.encAfter === Enc.ENC) return Severity.NONE;
    return severity(platform.memEncryptActive);
  },
  explain: (o, page) => `${page} goes back to the page allocator while ${o.encAfter === Enc.DEC ? 'decrypted' : 'in an unknown state'}`,
};
