/**
 * `--resume DIR`: continue an interrupted verification from DIR/results.json.
 * The selection (and shard) come from that file; a selection given again on
 * the command line or in a config must be the same, or the resume is
 * refused naming what differs.
 */
import type { Results } from '../check/results.ts';
import { UsageError, type Selection } from '../check/selection.ts';
import { readResultsFile, ResultsFileError } from '../report/schema.ts';

export interface Resume {
  readonly previous: Results;
  readonly selection: Selection;
  readonly shard?: { readonly index: number; readonly count: number };
}

/** What differs between two selections, as `field` names; empty when equal. */
export function selectionDifferences(a: Selection, b: Selection): string[] {
  const fields = ['versions', 'platforms', 'properties', 'device', 'entryPoints', 'threads', 'calls'] as const;
  return fields.filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}

/** Load DIR/results.json for resuming; `wanted` is a selection given explicitly, which must match. */
export function loadResume(dir: string, wanted?: Selection, wantedShard?: { index: number; count: number }): Resume {
  let previous: Results;
  try {
    previous = readResultsFile(dir);
  } catch (e) {
    if (e instanceof ResultsFileError) throw new UsageError(`--resume: ${e.message}`);
    throw e;
  }
  if (wanted) {
    const diff = selectionDifferences(previous.selection, wanted);
    if (diff.length)
      throw new UsageError(`--resume ${dir}: the selection differs from the interrupted run's in ${diff.join(', ')} (resume with the same selection, or give none)`);
  }
  if (wantedShard && JSON.stringify(wantedShard) !== JSON.stringify(previous.shard))
    throw new UsageError(`--resume ${dir}: shard ${wantedShard.index}/${wantedShard.count} differs from the interrupted run's (${previous.shard ? `${previous.shard.index}/${previous.shard.count}` : 'whole matrix'})`);
  return { previous, selection: previous.selection, ...(previous.shard ? { shard: previous.shard } : {}) };
}
