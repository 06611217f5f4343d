/** A small verified matrix shared by the report tests (in-process, about a second). */
import { parseSelection } from '../../src/check/selection.ts';
import { verify } from '../../src/check/verify.ts';
import type { Results } from '../../src/check/results.ts';
import { DIRECT_SCOPE } from '../../models/versions.ts';

export const SMALL = {
  versions: 'baseline,v2-p1',
  platforms: 'cca,tdx',
  properties: 'no-double-decrypt,leak-only-on-set-memory-failure,page-ownership',
  threads: 1,
  calls: 2,
  // dma-direct's own entry points (the report tests pin counts of this matrix)
  entryPoints: DIRECT_SCOPE.join(','),
} as const;

let cached: Promise<Results> | undefined;

/** baseline and v2-p1 on cca and tdx, three properties, dma-direct's entry points, 1 thread x 2 calls. */
export function smallResults(): Promise<Results> {
  cached ??= verify({ selection: parseSelection(SMALL), workers: 0 });
  return cached;
}

/** A deep copy, to change freely. */
export function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

let full: Promise<Results> | undefined;

/** The default selection, as `npm run verify` runs it (every version, platform and property). */
export function defaultResults(): Promise<Results> {
  full ??= verify({ selection: parseSelection({}), workers: 2 });
  return full;
}
