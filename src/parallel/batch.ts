/**
 * Run a batch of matrix tasks (in a worker thread or in-process).
 */
import { buildMatrix, type Matrix } from '../check/matrix.ts';
import { drainCoverage, executeRun, resetCoverage } from '../check/run-task.ts';
import { cacheStats } from '../../models/step-cache.ts';
import { loadTreeVersion } from '../extract/tree-registry.ts';
import type { BatchRequest, BatchResponse } from './messages.ts';

let lastKey = '';
let lastMatrix: Matrix | undefined;
let lastGeneration = -1;

export function runBatch(req: BatchRequest): BatchResponse {
  if (req.generation !== lastGeneration) {
    resetCoverage();
    lastGeneration = req.generation;
  }
  for (const t of req.trees ?? []) loadTreeVersion(t);
  const key = JSON.stringify(req.selection);
  if (key !== lastKey || !lastMatrix) {
    lastMatrix = buildMatrix(req.selection);
    lastKey = key;
  }
  const before = cacheStats();
  const outcomes = req.indices.map((i) => executeRun(lastMatrix!.tasks[i]!, { properties: req.selection.properties, explore: req.explore, ...(req.reductions ? { reductions: req.reductions } : {}) }));
  const after = cacheStats();
  return {
    outcomes,
    coverage: drainCoverage(req.selection.versions),
    cacheHits: after.hits - before.hits,
    cacheMisses: after.misses - before.misses,
  };
}
