/**
 * `--resume DIR`: continue an interrupted verification from DIR/results.json.
 * The selection (and shard) come from that file; a selection given again on
 * the command line or in a config must be the same, or the resume is
 * refused naming what differs.
 */
import type { Results } from '../check/results.ts';
import { UsageError, type Selection } from '../check/selection.ts';
import { loadResults } from '../check/load-results.ts';

export interface Resume {
  readonly previous: Results;
  readonly selection: Selection;
  readonly shard?: { readonly index: number; readonly count: number };
}

export const SELECTION_FIELDS = ['versions', 'platforms', 'properties', 'device', 'entryPoints', 'threads', 'calls'] as const;
export type SelectionField = (typeof SELECTION_FIELDS)[number];

/** What differs between two selections (among `fields`), as field names; empty when equal. */
export function selectionDifferences(a: Selection, b: Selection, fields: readonly SelectionField[] = SELECTION_FIELDS): string[] {
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}

/**
 * Load DIR/results.json for resuming. `wanted` is a selection given explicitly, which must match the
 * interrupted run's in `fields` (all by default: a config file states every field).
 */
export function loadResume(dir: string, wanted?: Selection, wantedShard?: { index: number; count: number }, fields?: readonly SelectionField[]): Resume {
  let previous: Results;
  try {
    previous = loadResults(dir);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`--resume: ${e.message}`);
    throw e;
  }
  if (wanted) {
    const diff = selectionDifferences(previous.selection, wanted, fields);
    if (diff.length)
      throw new UsageError(`--resume ${dir}: the selection differs from the interrupted run's in ${diff.join(', ')} (resume with the same selection, or give none)`);
  }
  if (wantedShard && JSON.stringify(wantedShard) !== JSON.stringify(previous.shard))
    throw new UsageError(`--resume ${dir}: shard ${wantedShard.index}/${wantedShard.count} differs from the interrupted run's (${previous.shard ? `${previous.shard.index}/${previous.shard.count}` : 'whole matrix'})`);
  return { previous, selection: previous.selection, ...(previous.shard ? { shard: previous.shard } : {}) };
}
