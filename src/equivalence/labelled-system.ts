/**
 * The contract between the generic trace-equivalence checker and a system
 * whose steps are labelled with what an observer sees.
 *
 * Like `CheckableSystem`, it knows nothing about DMA: a system is a set of
 * initial states and a deterministic successor function over packed
 * states. Each step carries the observable labels it produces, in order:
 * none for an internal (tau) step, one or more for a step that the observer
 * sees as a sequence of events (an atomic step that makes two calls is seen
 * as two labels with nothing in between).
 */
export interface LabelledSystem {
  /** Emit every initial state, in a deterministic order. The checker copies what it keeps. */
  initialStates(emit: (state: Uint8Array) => void): void;
  /**
   * Emit every successor of `state`, in a deterministic order, with the
   * step's `action` (replays the step, as in `CheckableSystem`) and its
   * observable `labels` (empty for an internal step). `state` must not be
   * modified; `next` and `labels` may be reused after `emit` returns.
   */
  successors(state: Uint8Array, emit: (next: Uint8Array, action: number, labels: readonly string[]) => void): void;
}
