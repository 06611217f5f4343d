/**
 * dma-direct gives back only pages the caller holds, to the allocator they
 * came from, once; and every page pointer or cookie it returns refers to the
 * memory it allocated. A violation is a double free, a use after free, a
 * page freed into the wrong allocator, or a bogus pointer.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import { HOME_NAMES, Loc } from '../models/vocabulary.ts';
import { Severity, type Property } from './property.ts';

export const pageOwnership: Property = {
  id: 'page-ownership',
  rule: 'no double free, no use after free, no free into the wrong allocator, no bogus page pointer',
  check(o: Observation) {
    if (o.kind === ObsKind.BOGUS_POINTER) return Severity.EFFECTIVE;
    if (o.kind === ObsKind.GIVE_BACK && (o.locBefore !== Loc.USED || o.holderBefore !== o.thread || o.dest !== o.home)) return Severity.EFFECTIVE;
    if ((o.kind === ObsKind.SET_DECRYPTED || o.kind === ObsKind.SET_ENCRYPTED) && (o.locBefore !== Loc.USED || o.holderBefore !== o.thread)) return Severity.EFFECTIVE;
    return Severity.NONE;
  },
  explain: (o, page) => {
    if (o.kind === ObsKind.BOGUS_POINTER) return o.reason;
    if (o.kind === ObsKind.GIVE_BACK && o.dest !== o.home) return `${page} (${HOME_NAMES[o.home]}) is freed into the ${HOME_NAMES[o.dest]} allocator`;
    return `${o.fn}() on ${page}, which the caller does not hold (double free or use after free)`;
  },
};
