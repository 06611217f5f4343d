/**
 * set_memory_encrypted() must not be called on memory that is already
 * encrypted: on TDX re-accepting a private page fails, and it means
 * dma-direct lost track of who shared the page.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import type { Platform } from '../models/platforms.ts';
import { Enc } from '../models/vocabulary.ts';
import { Severity, severity, type Property } from './property.ts';

export const noDoubleEncrypt: Property = {
  id: 'no-double-encrypt',
  rule: 'set_memory_encrypted() is never called on a page that is already encrypted',
  check(o: Observation, platform: Platform) {
    if (o.kind !== ObsKind.SET_ENCRYPTED || o.encBefore !== Enc.ENC) return Severity.NONE;
    return severity(platform.memEncryptActive);
  },
  explain: (_o, page) => `set_memory_encrypted() on ${page}, which is already encrypted`,
};
