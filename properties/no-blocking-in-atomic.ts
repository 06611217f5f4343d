/**
 * An allocation with a non-blocking gfp must not call anything that may
 * sleep (set_memory_*, vmap via dma_common_contiguous_remap): that is why
 * dma-direct diverts such allocations to the atomic pool.
 */
import { ObsKind, type Observation } from '../models/observation.ts';
import { Severity, type Property } from './property.ts';

export const noBlockingInAtomic: Property = {
  id: 'no-blocking-in-atomic',
  rule: 'no call that may sleep is made for a non-blocking gfp',
  check(o: Observation) {
    return o.kind === ObsKind.MAY_SLEEP && !o.gfpBlocking ? Severity.EFFECTIVE : Severity.NONE;
  },
  explain: (o) => `${o.fn}() may sleep, but the allocation's gfp does not allow blocking`,
};
