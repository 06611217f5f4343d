/**
 * set_memory_decrypted() must not be called on memory that is already
 * decrypted: hypervisors reject or mishandle a second share (CCA, pKVM), and
 * the caller then misreads whose job re-encryption is.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';
import { Enc } from '../models/vocabulary.ts';
import { Severity, severity, type Property } from './property.ts';

export const noDoubleDecrypt: Property = {
  id: 'no-double-decrypt',
  rule: 'set_memory_decrypted() is never called on a page that is already decrypted',
  check(o: Observation, platform: Platform) {
    if (o.kind !== ObsKind.SET_DECRYPTED || o.encBefore !== Enc.DEC) return Severity.NONE;
    return severity(platform.memEncryptActive);
  },
  explain: (_o, page) => `set_memory_decrypted() on ${page}, which is already decrypted`,
};
