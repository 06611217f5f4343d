/**
 * The contract between the generic explorer and a system under check.
 *
 * The explorer knows nothing about DMA: a system is a set of initial states,
 * a deterministic successor function and a set of "goal bits" (at most 32)
 * that a step can raise. dmacheck's composition root maps goal bits to
 * (property, severity) pairs; toy systems in test/fixtures map them to
 * planted bugs.
 *
 * States are packed into a fixed number of bytes. A system may reuse one
 * buffer for every `emit`: the explorer copies what it keeps.
 */
export interface CheckableSystem {
  /** Bytes of one packed state. Every state of the system has this size. */
  readonly stateBytes: number;
  /** Number of goal bits the system can raise (0..32). */
  readonly goalCount: number;
  /** Emit every initial state, in a deterministic order. */
  initialStates(emit: (state: Uint8Array) => void): void;
  /**
   * Emit every successor of `state`, in a deterministic order.
   * `action` identifies the step among the successors of `state` (a small
   * non-negative integer, < 65536); replaying a path means calling
   * `successors` again and taking the successor with the same action.
   * `goals` is a bitmask of the goal bits the step raises (0 for none).
   * `state` must not be modified.
   */
  successors(state: Uint8Array, emit: (next: Uint8Array, action: number, goals: number) => void): void;
  /**
   * Optional: the successors of `count` states at once, emitted exactly as
   * `successors` would emit them state after state; `emit`'s last argument
   * says which of the states (0-based) a successor comes from. State i is
   * the `stateBytes` bytes at word `i * ceil(stateBytes / 4)` of `words`
   * (zero-padded to whole words); `words` must not be modified. A system
   * that keeps large tables overlaps their memory accesses across the
   * states this way; the explorer uses it when present (and
   * `successorsToSink` does not apply).
   */
  successorsOfMany?(words: Int32Array, count: number, emit: (next: Uint8Array, action: number, goals: number, which: number) => void): void;
  /**
   * Optional, for states of at most 8 bytes: `successorsOfMany` with each
   * successor handed over as two words (`WordSink.push`) instead of a byte
   * buffer, so no byte buffer is filled or read on the way to the state store.
   * Same successors, same order, same actions and goals. The explorer uses
   * it when present and the states are small enough.
   */
  successorsToSink?(words: Int32Array, count: number, sink: WordSink): void;
  /**
   * Optional symmetry reduction: rewrite `state` in place into the canonical
   * representative of its symmetry class. Must be idempotent, and the system
   * must be symmetric under it (a test proves that per system).
   */
  canonicalize?(state: Uint8Array): void;
}

/** Receives the successors of `CheckableSystem.successorsToSink`. */
export interface WordSink {
  /**
   * One successor of state `which` (0-based, as in `successorsOfMany`): its
   * `stateBytes` (at most 8) bytes as two little-endian 32-bit words, zero
   * past `stateBytes` (`w1` is 0 for states of at most 4 bytes).
   */
  push(w0: number, w1: number, action: number, goals: number, which: number): void;
}
