/**
 * Observations: what one step of a run did to the world, one record per
 * effect. Properties are predicates over observations; traces print them;
 * patch equivalence compares the observable ones.
 */
import type { Attr, Enc, Home, Loc } from './vocabulary.ts';

export const ObsKind = {
  /** set_memory_decrypted() on a page (ok = returned 0) */
  SET_DECRYPTED: 0,
  /** set_memory_encrypted() on a page */
  SET_ENCRYPTED: 1,
  /** a page taken from an allocator or pool */
  TAKE: 2,
  /** a page given back to an allocator or pool (`dest`) */
  GIVE_BACK: 3,
  /** a page made unreachable: deliberately leaked or lost by the caller */
  LEAK: 4,
  /** a kernel vmap alias created (`attr` = its prot) or removed (attr NONE) */
  VMAP: 5,
  /** a user mapping created (`attr` = its prot) */
  USER_MAP: 6,
  /** a DMA address handed to the device (`attr` = its encoding) or a bounce slot released */
  DMA_ADDR: 7,
  /** the entry point returned to its caller (`result`) */
  RETURN: 8,
  /** a call that may sleep (remap / vmap, set_memory_*) */
  MAY_SLEEP: 9,
  /** a page pointer that does not refer to the allocated memory was returned or used */
  BOGUS_POINTER: 10,
  /** a call that failed without touching a page (allocator exhausted, arch_dma_set_uncached error) */
  FAILED_CALL: 11,
  /** the driver quiesced a buffer before freeing it (user mapping and DMA address gone) */
  QUIESCE: 12,
  /** the kernel logged a WARN (`reason`) */
  WARN: 13,
  /** the driver changed its device's coherent DMA mask (`reason`) */
  MASK: 14,
} as const;
export type ObsKind = (typeof ObsKind)[keyof typeof ObsKind];
export const OBS_KIND_NAMES = [
  'set_memory_decrypted', 'set_memory_encrypted', 'take', 'give back', 'leak', 'vmap', 'user map',
  'dma address', 'return', 'may sleep', 'bogus pointer', 'failed call', 'quiesce', 'warn', 'mask',
] as const;

/** One observation. Mutable and reused by the stepper: copy what you keep. */
export interface Observation {
  kind: ObsKind;
  thread: number;
  /** page index, or -1 */
  page: number;
  /** the environment function (or entry point, for RETURN) */
  fn: string;
  ok: boolean;
  /** the page before the step */
  encBefore: Enc;
  locBefore: Loc;
  holderBefore: number;
  /** the page after the step */
  encAfter: Enc;
  locAfter: Loc;
  vmap: Attr;
  user: Attr;
  dma: Attr;
  /** VMAP / USER_MAP / DMA_ADDR: the attribute of the new alias or address */
  attr: Attr;
  /** GIVE_BACK: where the page went; TAKE: where it came from */
  dest: Home;
  /** the page's home */
  home: Home;
  /** the encryption state the page's allocator or pool set it up in (ENC outside pools) */
  setUpEnc: Enc;
  /**
   * the page is the atomic pool's growth page while its worker still holds
   * it: nothing but atomic_pool_expand() knows the page or its alias until
   * gen_pool_add_virt() publishes it
   */
  unpublished: boolean;
  /** MAY_SLEEP: whether the caller's gfp allows blocking */
  gfpBlocking: boolean;
  /** RETURN: what the caller got back, e.g. `NULL`, `vmap cpu addr` */
  result: string;
  /** LEAK: why ('out_leak_pages', 'lost', ...) */
  reason: string;
}

export function blankObservation(): Observation {
  return {
    kind: 0, thread: 0, page: -1, fn: '', ok: true, encBefore: 0, locBefore: 0, holderBefore: 0,
    encAfter: 0, locAfter: 0, vmap: 0, user: 0, dma: 0, attr: 0, dest: 0, home: 0, setUpEnc: 0, unpublished: false,
    gfpBlocking: true, result: '', reason: '',
  };
}
