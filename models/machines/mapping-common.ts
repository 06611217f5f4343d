/**
 * Source positions in kernel/dma/mapping.c, the DMA API front end drivers
 * call, for the two generations of the file the models follow:
 *
 * - `cc-shared` (v7.3): mapping.c at b45e3d35 (the merged CC_SHARED series);
 * - `classic` (every older version): mapping.c before the series, blob
 *   4fe04669 (the pre-image of "dma-direct: use __DMA_ATTR_ALLOC_CC_SHARED
 *   in alloc/free paths"; the local copy was rebuilt by reverse-applying the
 *   series' mapping.c hunks and its blob id matches that pre-image, so its
 *   line numbers are the upstream ones).
 */
import type { EnvGeneration } from '../platforms.ts';
import { dmaSetup, initialContext, type DmaMachine, type StateMeta } from './dma-setup.ts';
import { spliceMachine } from './splice-machine.ts';

/** The commit every v7.3 mapping.c line number refers to. */
export const V73_MAPPING = 'b45e3d35';
/** The git blob of mapping.c before the series. */
export const CLASSIC_MAPPING_BLOB = '4fe04669';

/** `kernel/dma/mapping.c:<line> @b45e3d35 <fn>(): <what>` (v7.3) or `kernel/dma/mapping.c:<line> (blob 4fe04669) <fn>(): <what>`. */
export function mappingAt(gen: EnvGeneration, lines: Readonly<Record<EnvGeneration, number>>, fn: string, what: string): string {
  const where = gen === 'cc-shared' ? `@${V73_MAPPING}` : `(blob ${CLASSIC_MAPPING_BLOB})`;
  return `kernel/dma/mapping.c:${lines[gen]} ${where} ${fn}(): ${what}`;
}

/** kernel/dma/coherent.c (the same file before and after the series, 0b9828c7). */
export function coherentAt(line: number, fn: string, what: string): string {
  return `kernel/dma/coherent.c:${line} @0b9828c7 ${fn}(): ${what}`;
}

/**
 * A front-end machine `id` (initial state `start`): the states of its own,
 * which may lead to `entry`, the initial state of `callee` spliced in under
 * its id (models/machines/splice-machine.ts).
 */
export function frontEndMachine(id: string, callee: DmaMachine | undefined, own: (entry: string) => Record<string, unknown>): DmaMachine {
  const spliced = callee ? spliceMachine(callee) : { entry: '', states: {} };
  return dmaSetup.createMachine({
    id,
    initial: 'start',
    context: initialContext,
    states: { ...(own(spliced.entry) as {}), ...(spliced.states as {}) },
  }) as DmaMachine;
}

/** A front end whose direct-device path is a plain call of `callee` (`source`: the call in mapping.c). */
export function passThroughMachine(id: string, callee: DmaMachine, source: string): DmaMachine {
  return frontEndMachine(id, callee, (entry) => ({
    start: { meta: { source } satisfies StateMeta, always: [{ target: entry }] },
  }));
}
