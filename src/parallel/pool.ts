/**
 * Run matrix tasks on a workerpool of threads, in batches of a few
 * milliseconds of work each; results come back in matrix order whatever the
 * number of workers, so reports are identical for any --workers.
 */
import { availableParallelism } from 'node:os';
import { runBatch } from './batch.ts';
import { startPool, type WorkerPool, type WorkerSources } from './worker-script.ts';
import type { BatchRequest, BatchResponse } from './messages.ts';

export interface PoolProgress {
  readonly done: number;
  readonly total: number;
  readonly states: number;
}

export interface RunAllOptions {
  /** worker threads; 0 runs in this thread */
  readonly workers: number;
  /** tasks per batch */
  readonly batchSize?: number;
  readonly onBatch?: (indices: readonly number[], res: BatchResponse, p: PoolProgress) => void;
  /** stop scheduling new batches when this returns true */
  readonly shouldStop?: () => boolean;
  /**
   * a pool of `workers` threads started earlier (startPool(WORKER, workers)),
   * used and left running; without it a pool is started and terminated here
   */
  readonly pool?: WorkerPool;
}

export const defaultWorkers = (): number => availableParallelism();

export const WORKER: WorkerSources = { ts: new URL('./worker.ts', import.meta.url), tsxEntry: new URL('./worker-entry.mjs', import.meta.url) };

/** Split indices into consecutive batches of `size` (the last may be shorter). */
export function batches(indices: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < indices.length; i += size) out.push(indices.slice(i, i + size));
  return out;
}

let generations = 0;

/** Run `indices` of the matrix `base` describes; the callback sees each batch as it completes. */
export async function runAll(base: Omit<BatchRequest, 'indices' | 'generation'>, indices: readonly number[], opts: RunAllOptions): Promise<BatchResponse[]> {
  const generation = ++generations;
  const size = opts.batchSize ?? 16;
  const parts = batches(indices, size);
  const results: BatchResponse[] = new Array(parts.length);
  let done = 0;
  let states = 0;
  const report = (i: number, res: BatchResponse) => {
    results[i] = res;
    done += parts[i]!.length;
    for (const o of res.outcomes) states += o.states;
    opts.onBatch?.(parts[i]!, res, { done, total: indices.length, states });
  };
  if (opts.workers === 0) {
    for (let i = 0; i < parts.length; i++) {
      if (opts.shouldStop?.()) break;
      report(i, runBatch({ ...base, indices: parts[i]!, generation }));
    }
    return results.filter(Boolean);
  }
  const pool = opts.pool ?? (await startPool(WORKER, opts.workers));
  try {
    let next = 0;
    const lanes = Array.from({ length: opts.workers }, async () => {
      while (next < parts.length && !opts.shouldStop?.()) {
        const i = next++;
        const res = (await pool.exec('runBatch', [{ ...base, indices: parts[i]!, generation }])) as BatchResponse;
        report(i, res);
      }
    });
    await Promise.all(lanes);
  } finally {
    if (!opts.pool) await pool.terminate(true);
  }
  return results.filter(Boolean);
}
