/**
 * `dmacheck verify` as a function: build the matrix of a selection, run it
 * on the pool, aggregate. The CLI and `nightly` call this; tests call it
 * in-process (workers: 0).
 */
import type { ExploreOptions } from '../core/explorer.ts';
import { runAll, type PoolProgress, type RunAllOptions } from '../parallel/pool.ts';
import type { BatchResponse } from '../parallel/messages.ts';
import { SESSION_STARTS } from '../../models/programs.ts';
import { buildMatrix, taskLabel, type Matrix } from './matrix.ts';
import { addCoverage, addOutcomes, addResults, emptyPartial, finish, type Results } from './results.ts';
import { UsageError, type Selection } from './selection.ts';
import type { Reductions } from './dma-system.ts';
import { treesOf } from '../extract/tree-registry.ts';

export interface VerifyOptions {
  readonly selection: Selection;
  /** worker threads (0 = in this thread) */
  readonly workers: number;
  readonly explore?: Pick<ExploreOptions, 'maxStates' | 'maxBytes' | 'hashCompact'>;
  /** symmetry and partial-order reduction (both on by default) */
  readonly reductions?: Reductions;
  /** run only shard `index` (1-based) of `count`: runs whose matrix index is index-1 modulo count */
  readonly shard?: { readonly index: number; readonly count: number };
  /** an earlier, interrupted result of the same selection: its finished runs are kept */
  readonly resume?: Results;
  readonly onProgress?: (p: PoolProgress) => void;
  readonly shouldStop?: () => boolean;
  readonly batchSize?: number;
  /** run on this pool of `workers` threads, already started, and leave it running (the benchmark's warm pools) */
  readonly pool?: RunAllOptions['pool'];
}

/**
 * Refuse a selection with no runs (bad input, not "holds over 0 runs"),
 * saying why it is empty; returns its matrix.
 */
export function checkRunsSelected(selection: Selection, matrix: Matrix = buildMatrix(selection)): Matrix {
  if (matrix.tasks.length > 0) return matrix;
  if (matrix.programs.length === 0)
    throw new UsageError(`the selection has no runs: no program can be built from --entry-points ${selection.entryPoints.join(',')} ` +
      `(a program starts with ${[...SESSION_STARTS].join(', ')}; a free or unmap needs its allocation or map first)`);
  const filter = Object.entries(selection.device).map(([k, v]) => `${k}=${v}`).join(',') || 'all';
  const counts = new Map<string, number>();
  for (const e of matrix.excluded) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1);
  const reasons = [...counts].map(([reason, n]) => `${reason} (${n} configuration${n > 1 ? 's' : ''})`);
  throw new UsageError(`the selection has no runs: no device configuration of ${selection.platforms.join(',')} matches --device ${filter}` +
    `${reasons.length ? ` (excluded: ${reasons.slice(0, 2).join('; ')}${reasons.length > 2 ? `; and ${reasons.length - 2} more` : ''})` : ''}`);
}

export async function verify(opts: VerifyOptions): Promise<Results> {
  const started = Date.now();
  const matrix = checkRunsSelected(opts.selection);
  let indices = matrix.tasks.map((t) => t.index);
  if (opts.shard) indices = indices.filter((i) => i % opts.shard!.count === opts.shard!.index - 1);
  const partial = emptyPartial();
  if (opts.resume) addResults(partial, opts.resume);
  const doneSet = new Set(partial.runs.map((r) => r[0]));
  const todo = indices.filter((i) => !doneSet.has(i));
  const onBatch = (_i: readonly number[], res: BatchResponse, p: PoolProgress) => {
    addOutcomes(partial, matrix, res.outcomes);
    addCoverage(partial.coverage, res.coverage);
    opts.onProgress?.({ ...p, done: p.done + (indices.length - todo.length), total: indices.length });
  };
  await runAll(
    { selection: opts.selection, explore: opts.explore ?? {}, ...(opts.reductions ? { reductions: opts.reductions } : {}), ...treesOf(opts.selection.versions) },
    todo,
    {
      workers: opts.workers, onBatch, ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}), ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.pool ? { pool: opts.pool } : {}),
    },
  );
  const doneCount = new Set(partial.runs.map((r) => r[0])).size;
  const interrupted = doneCount < indices.length;
  const cut = partial.runs.filter((r) => r[4] === 0);
  const bounded = cut.length > 0;
  const incompleteReason = interrupted
    ? `interrupted after ${doneCount} of ${indices.length} runs`
    : bounded
      ? `${cut.length} run(s) hit the memory limit (first: ${taskLabel(matrix.tasks[cut[0]![0]]!)}): lower --calls or --threads, or raise --max-memory`
      : undefined;
  const results = finish(opts.selection, matrix, partial, {
    complete: !interrupted && !bounded,
    ...(incompleteReason ? { incompleteReason } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    taskCount: indices.length,
  });
  return { ...results, timing: { startedAt: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, workers: opts.workers } };
}
