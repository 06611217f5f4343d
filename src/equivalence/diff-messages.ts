/**
 * Every message that crosses the worker-thread boundary for `diff`. Only
 * plain data: a batch names a slice of version A's matrix by the selection
 * that builds it and the matrix indices.
 */
import type { Selection } from '../check/selection.ts';
import type { RunDiffOutcome } from './run-diff.ts';
import type { TreeVersionData } from '../extract/tree-registry.ts';

export interface DiffBatchRequest {
  /** version A's selection (its `versions` is [A]) */
  readonly selection: Selection;
  readonly versionB: string;
  /** observable definition id */
  readonly observable: string;
  readonly maxPairs?: number;
  /** matrix task indices to compare, ascending */
  readonly indices: readonly number[];
  /** A or B where extracted from a kernel tree: a worker builds them from this data */
  readonly trees?: readonly TreeVersionData[];
}

export interface DiffBatchResponse {
  readonly outcomes: readonly RunDiffOutcome[];
}
