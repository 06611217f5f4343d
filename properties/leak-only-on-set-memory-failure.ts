/**
 * dma-direct may leak a page only after a set_memory_* call on it failed
 * (the TDX rule: a page in an unknown state must never be reused); any
 * other page that ends up neither held by the caller nor back with its
 * owner is a leak bug.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import { Enc } from '../models/vocabulary.ts';
import { Severity, type Property } from './property.ts';

export const leakOnlyOnSetMemoryFailure: Property = {
  id: 'leak-only-on-set-memory-failure',
  rule: 'a page is leaked only after a set_memory_*() call on it failed',
  check(o: Observation) {
    // encAfter: a failed set_memory_*() in the same step leaves the page UNKNOWN before it is leaked.
    return o.kind === ObsKind.LEAK && o.encAfter !== Enc.UNKNOWN ? Severity.EFFECTIVE : Severity.NONE;
  },
  explain: (o, page) => `${page} is leaked although no set_memory_*() call on it failed (${o.reason})`,
};
