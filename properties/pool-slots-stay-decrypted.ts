/**
 * A restricted-pool slot, swiotlb slot or atomic-pool chunk returned to its
 * pool is in the state the pool was set up with (decrypted where memory
 * encryption is active; in v7.3, where the pool is `cc_shared`): the pool
 * hands it out again, and bounces through it, assuming so.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import { Enc, Home } from '../models/vocabulary.ts';
import { Severity, type Property } from './property.ts';

export const poolSlotsStayDecrypted: Property = {
  id: 'pool-slots-stay-decrypted',
  rule: 'a pool slot or chunk returned to its pool is still decrypted',
  check(o: Observation) {
    if (o.kind !== ObsKind.GIVE_BACK || o.dest === Home.BUDDY || o.dest === Home.CMA_HIGHMEM) return Severity.NONE;
    return o.encAfter === o.setUpEnc ? Severity.NONE : Severity.EFFECTIVE;
  },
  explain: (o, page) => `${page} goes back to its pool ${o.encAfter === Enc.ENC ? 'encrypted' : 'in an unknown state'}`,
};
