/**
 * Compare a batch of runs (in a worker thread or in-process).
 */
import { buildMatrix, type Matrix } from '../check/matrix.ts';
import type { DiffBatchRequest, DiffBatchResponse } from './diff-messages.ts';
import { diffRun } from './run-diff.ts';
import { loadTreeVersion } from '../extract/tree-registry.ts';

let lastKey = '';
let lastMatrix: Matrix | undefined;

export function runDiffBatch(req: DiffBatchRequest): DiffBatchResponse {
  for (const t of req.trees ?? []) loadTreeVersion(t);
  const key = JSON.stringify(req.selection);
  if (key !== lastKey || !lastMatrix) {
    lastMatrix = buildMatrix(req.selection);
    lastKey = key;
  }
  const opts = { observable: req.observable, ...(req.maxPairs !== undefined ? { maxPairs: req.maxPairs } : {}) };
  return { outcomes: req.indices.map((i) => diffRun(lastMatrix!.tasks[i]!, req.versionB, opts)) };
}
