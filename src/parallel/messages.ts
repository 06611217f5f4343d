/**
 * Every message that crosses the worker-thread boundary. Only plain data:
 * a batch names a slice of the matrix by the selection that builds it and
 * an index range, so no model object is ever sent.
 */
import type { ExploreOptions } from '../core/explorer.ts';
import type { Selection } from '../check/selection.ts';
import type { RunOutcome } from '../check/run-task.ts';
import type { Reductions } from '../check/dma-system.ts';
import type { TreeVersionData } from '../extract/tree-registry.ts';

export interface BatchRequest {
  readonly selection: Selection;
  /** matrix task indices to run, ascending */
  readonly indices: readonly number[];
  readonly explore: Pick<ExploreOptions, 'maxStates' | 'maxBytes' | 'hashCompact'>;
  readonly reductions?: Reductions;
  /**
   * which call of runAll() the batch belongs to (numbered per process): a
   * thread that sees a new one starts recording coverage afresh, because
   * its step caches, which coverage is read from, outlive a verify when
   * its pool does
   */
  readonly generation: number;
  /** the selected versions that were extracted from kernel trees: a worker builds them from this data */
  readonly trees?: readonly TreeVersionData[];
}

export interface BatchResponse {
  readonly outcomes: readonly RunOutcome[];
  /** coverage ids newly reached in this worker: version -> entry point -> ids */
  readonly coverage: Record<string, Record<string, string[]>>;
  /** xstate step cache hits and misses in this batch */
  readonly cacheHits: number;
  readonly cacheMisses: number;
}
