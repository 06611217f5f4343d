/**
 * Combine the results of `verify --shard i/n` runs into the result of the
 * whole matrix: identical to an unsharded run (apart from timing).
 */
import { buildMatrix } from './matrix.ts';
import { addResults, emptyPartial, finish, type Results } from './results.ts';
import { UsageError } from './selection.ts';

export interface ShardFile {
  readonly path: string;
  readonly results: Results;
}

export function mergeShards(files: readonly ShardFile[]): Results {
  if (files.length === 0) throw new UsageError('merge needs at least one results.json');
  const first = files[0]!;
  const key = JSON.stringify(first.results.selection);
  const seen = new Map<number, string>();
  let count: number | undefined;
  for (const f of files) {
    if (JSON.stringify(f.results.selection) !== key)
      throw new UsageError(`${f.path}: its selection differs from ${first.path}'s (shards must come from the same verify command)`);
    const s = f.results.shard ?? { index: 1, count: 1 };
    if (count !== undefined && s.count !== count) throw new UsageError(`${f.path}: shard ${s.index}/${s.count} does not match ${count} shards`);
    count = s.count;
    if (seen.has(s.index)) throw new UsageError(`${f.path}: shard ${s.index}/${s.count} given twice (also ${seen.get(s.index)})`);
    seen.set(s.index, f.path);
  }
  const missing = Array.from({ length: count! }, (_, i) => i + 1).filter((i) => !seen.has(i));
  const selection = first.results.selection;
  const matrix = buildMatrix(selection);
  const partial = emptyPartial();
  for (const f of files) addResults(partial, f.results);
  const incomplete = files.filter((f) => !f.results.complete);
  const reason = missing.length
    ? `shards ${missing.map((i) => `${i}/${count}`).join(', ')} missing`
    : incomplete.length ? `shard ${incomplete.map((f) => f.path).join(', ')} incomplete` : undefined;
  const merged = finish(selection, matrix, partial, {
    complete: reason === undefined,
    ...(reason ? { incompleteReason: reason } : {}),
    taskCount: matrix.tasks.length,
  });
  const seconds = files.reduce((t, f) => t + (f.results.timing?.seconds ?? 0), 0);
  return { ...merged, timing: { startedAt: first.results.timing?.startedAt ?? new Date(0).toISOString(), seconds, workers: 0 } };
}
