/**
 * Run diff batches on a workerpool of threads (the pattern of
 * src/parallel/pool.ts, with its own worker). Results come back through
 * the callback as batches finish; the caller orders them by matrix index,
 * so reports are identical for any number of workers.
 */
import { batches } from '../parallel/pool.ts';
import { startPool, type WorkerSources } from '../parallel/worker-script.ts';
import { runDiffBatch } from './diff-batch.ts';
import type { DiffBatchRequest, DiffBatchResponse } from './diff-messages.ts';

export interface DiffProgress {
  readonly done: number;
  readonly total: number;
  /** product pairs explored so far */
  readonly states: number;
}

export interface RunDiffAllOptions {
  /** worker threads; 0 runs in this thread */
  readonly workers: number;
  /** runs per batch */
  readonly batchSize?: number;
  readonly onBatch?: (res: DiffBatchResponse, p: DiffProgress) => void;
}

export const DIFF_WORKER: WorkerSources = { ts: new URL('./diff-worker.ts', import.meta.url), tsxEntry: new URL('./diff-worker-entry.mjs', import.meta.url) };

export async function runDiffAll(base: Omit<DiffBatchRequest, 'indices'>, indices: readonly number[], opts: RunDiffAllOptions): Promise<void> {
  const parts = batches(indices, opts.batchSize ?? 16);
  let done = 0;
  let states = 0;
  const report = (i: number, res: DiffBatchResponse) => {
    done += parts[i]!.length;
    for (const o of res.outcomes) states += o.pairs;
    opts.onBatch?.(res, { done, total: indices.length, states });
  };
  if (opts.workers === 0) {
    for (let i = 0; i < parts.length; i++) report(i, runDiffBatch({ ...base, indices: parts[i]! }));
    return;
  }
  const pool = await startPool(DIFF_WORKER, opts.workers);
  try {
    let next = 0;
    const lanes = Array.from({ length: opts.workers }, async () => {
      while (next < parts.length) {
        const i = next++;
        report(i, (await pool.exec('runDiffBatch', [{ ...base, indices: parts[i]! }])) as DiffBatchResponse);
      }
    });
    await Promise.all(lanes);
  } finally {
    await pool.terminate(true);
  }
}
