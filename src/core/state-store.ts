/**
 * Deduplicating state stores for the explorer, built on typed arrays only
 * (a JS Set/Map caps at 2^24 entries and costs far more bytes per state).
 *
 * - `StateStore` keeps every FULL packed state in one contiguous arena, in
 *   insertion order (state index = insertion order, so the arena doubles as
 *   the BFS queue). An open-addressing (linear probing) hash table of 32-bit
 *   words maps a state's hash to its index; each word packs `index + 1` in
 *   its low `log2(tableSize)` bits and a tag (the hash's remaining high
 *   bits) in the others, so most probe misses are rejected without touching
 *   the arena. A tag match is always confirmed by a full comparison: two
 *   distinct states are never confused.
 * - `FingerprintStore` ("hash compaction") keeps only the 64-bit fingerprint
 *   of each state. Two distinct states with the same fingerprint are
 *   confused (the second is silently dropped), with probability bounded by
 *   `omissionProbability()`. It cannot give states back: a BFS over it keeps
 *   its queue of states in a `StateQueue`.
 *
 * Layout: internally a state occupies `wordsPerState(stateBytes)` 32-bit
 * words (its bytes, zero-padded to a multiple of 4), so that copies,
 * comparisons and hashing run a word at a time. The byte API
 * (`insert(buf, offset)`, `get`, `view`) hides this; the word API
 * (`...Words`) is what the explorer's hot loop uses.
 *
 * Insert convention (both stores, see `DedupStore.insert`): a result >= 0 is
 * the index of a NEW state (= the number of states stored before it); a
 * negative result means "already present" (`StateStore` returns
 * `-(existingIndex + 1)`, `FingerprintStore` returns -1 as it does not keep
 * indices).
 *
 * Limits: a Node 20 typed array holds at most 2^32 bytes, so the arena holds
 * at most floor(2^32 / (4 * wordsPerState)) states (RangeError beyond).
 */

import { giveBack, grownInt32, takeInt32 } from './buffer-pool.ts';

/** Maximum number of bytes of one typed array in Node 20 (buffer.constants.MAX_LENGTH). */
export const MAX_TYPED_ARRAY_BYTES = 2 ** 32;

/** Maximum load factor of the open-addressing tables before they double. */
export const MAX_LOAD = 0.7;

/** Growth factor of the arenas and the explorer's per-state arrays. */
export const ARENA_GROWTH = 1.4;

/** 32-bit words a state of `stateBytes` bytes occupies (zero-padded). */
export function wordsPerState(stateBytes: number): number {
  return (stateBytes + 3) >>> 2;
}

// ---------------------------------------------------------------------------
// Hashing. Both lanes run over the state's little-endian 32-bit words,
// zero-padded; the word and byte versions give the same value (on the
// little-endian platforms Node runs on).
// ---------------------------------------------------------------------------

/**
 * Lane 1 over words: MurmurHash3_x86_32 (seed 0) rounds over `n` words of
 * `w` from `off`, finalized with the byte length `len`. For `len % 4 == 0`
 * this is exactly MurmurHash3_x86_32; otherwise the zero-padded last word is
 * mixed as a full round. Signed 32-bit result.
 */
export function hashWords(w: Int32Array, off: number, n: number, len: number): number {
  let h = 0;
  const end = off + n;
  for (let i = off; i < end; i++) h = murmurRound(h, w[i]!);
  return murmurFinish(h, len);
}

/** `hashWords` of the one or two words (w0, w1): `n` is 1 or 2. */
export function hashWordPair(w0: number, w1: number, n: number, len: number): number {
  const h = murmurRound(0, w0);
  return murmurFinish(n === 1 ? h : murmurRound(h, w1), len);
}

function murmurRound(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51 | 0);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + (0xe6546b64 | 0)) | 0;
}

function murmurFinish(h: number, len: number): number {
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  return h ^ (h >>> 16);
}

/**
 * Lane 2 over words: an xxHash32-style accumulator (different seed,
 * multipliers and avalanche than lane 1), finalized with `len`.
 */
export function hashWordsB(w: Int32Array, off: number, n: number, len: number): number {
  let h = (0x165667b1 + len) | 0;
  const end = off + n;
  for (let i = off; i < end; i++) {
    h = (h + Math.imul(w[i]!, 0x85ebca77 | 0)) | 0;
    h = (h << 13) | (h >>> 19);
    h = Math.imul(h, 0x9e3779b1 | 0);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77 | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d | 0);
  return h ^ (h >>> 16);
}

function wordAt(buf: Uint8Array, i: number, end: number): number {
  if (i + 4 <= end) return buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
  let k = 0;
  for (let s = 0; i < end; i++, s += 8) k |= buf[i]! << s;
  return k;
}

let packed = new Int32Array(16);

/** `len` bytes of `buf` from `off` as zero-padded little-endian words (a shared scratch array). */
function packWords(buf: Uint8Array, off: number, len: number): Int32Array {
  const n = wordsPerState(len);
  if (packed.length < n) packed = new Int32Array(n);
  for (let j = 0; j < n; j++) packed[j] = wordAt(buf, off + 4 * j, off + len);
  return packed;
}

/** Lane 1 (`hashWords`) of `len` bytes of `buf` from `off`. */
export function hash32(buf: Uint8Array, off: number, len: number): number {
  return hashWords(packWords(buf, off, len), 0, wordsPerState(len), len);
}

/** Lane 2 (`hashWordsB`) of `len` bytes of `buf` from `off`. */
export function hash32b(buf: Uint8Array, off: number, len: number): number {
  return hashWordsB(packWords(buf, off, len), 0, wordsPerState(len), len);
}

/**
 * The 64-bit fingerprint of a state, as a bigint `(hi << 32n) | lo` with
 * `lo = hash32 >>> 0` (lane 1, which alone chooses `StateStore` slots and
 * tags) and `hi = hash32b >>> 0` (lane 2). Pure: the same bytes always give
 * the same fingerprint. `FingerprintStore` stores exactly these 64 bits.
 */
export function fingerprint64(buf: Uint8Array, offset = 0, length = buf.length - offset): bigint {
  return (BigInt(hash32b(buf, offset, length) >>> 0) << 32n) | BigInt(hash32(buf, offset, length) >>> 0);
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}

function maxStatesFor(words: number): number {
  return Math.floor(MAX_TYPED_ARRAY_BYTES / (4 * words));
}

function grownCapacity(cap: number, words: number): number {
  const want = Math.max(cap + 16, Math.ceil(cap * ARENA_GROWTH));
  return Math.min(want, maxStatesFor(words));
}

function checkStateBytes(stateBytes: number): void {
  if (!Number.isInteger(stateBytes) || stateBytes < 1) {
    throw new RangeError(`stateBytes must be a positive integer, got ${stateBytes}`);
  }
}

/** A one-state word buffer with a byte view, for the byte API. */
class Packer {
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  constructor(stateBytes: number) {
    this.words = new Int32Array(wordsPerState(stateBytes));
    this.bytes = new Uint8Array(this.words.buffer, 0, stateBytes);
  }
  pack(buf: Uint8Array, offset: number): Int32Array {
    const b = this.bytes;
    const n = b.length;
    for (let j = 0; j < n; j++) b[j] = buf[offset + j]!;
    return this.words;
  }
}

// ---------------------------------------------------------------------------
// Common interface
// ---------------------------------------------------------------------------

/** What the explorer needs from a deduplicating store. */
export interface DedupStore {
  readonly stateBytes: number;
  /** Words per state (`wordsPerState(stateBytes)`). */
  readonly stateWords: number;
  /** Number of distinct states inserted. */
  readonly size: number;
  /**
   * Insert the `stateBytes` bytes of `buf` from `offset`. Returns the new
   * state's index (>= 0, = insertion order) if it was not present, or a
   * negative number if it was (`StateStore`: `-(existingIndex + 1)`;
   * `FingerprintStore`: -1). The bytes are copied.
   */
  insert(buf: Uint8Array, offset?: number): number;
  /** Membership test without inserting. */
  has(buf: Uint8Array, offset?: number): boolean;
  /** Bytes of all typed arrays held by the store. */
  bytesUsed(): number;
  /** How many NEW states can be inserted before the store allocates. */
  headroom(): number;
  /** `bytesUsed()` after inserting one more NEW state (growth included). */
  bytesUsedAfterInsert(): number;

  // Word API for batched use (the explorer): states as `stateWords` words
  // of an Int32Array (zero padding), hashed first, then `touch`ed all
  // together (issuing their cache misses at once), then inserted in order.
  // (lo, hi) must be what `hashPairWords` wrote for the same state.

  /** Write the store's hash words of the state at `src[off..]` into out[at], out[at + 1]. */
  hashPairWords(src: Int32Array, off: number, out: Int32Array, at: number): void;
  /**
   * Read the memory that inserting the `n` states whose hash pairs are in
   * `hashes` (lo, hi, lo, hi, ...) probes first: a software prefetch, in
   * phases of independent loads so that their cache and TLB misses overlap.
   * The result is meaningless.
   */
  touchAll(hashes: Int32Array, n: number): number;
  /** `insert` of the state at `src[off..]` with a precomputed hash pair. */
  insertHashedWords(src: Int32Array, off: number, lo: number, hi: number): number;
  /** `has` with a precomputed hash pair. */
  hasHashedWords(src: Int32Array, off: number, lo: number, hi: number): boolean;
}

// ---------------------------------------------------------------------------
// StateStore: full states
// ---------------------------------------------------------------------------

/**
 * What `StateStore` and `SmallStateStore` share: the arena of full states
 * in insertion order (state index = insertion order, so the arena doubles as
 * the BFS queue) and an open-addressing index table that doubles at
 * `MAX_LOAD`.
 */
abstract class ArenaStore {
  readonly stateBytes: number;
  readonly stateWords: number;
  protected words: Int32Array;
  protected bytes: Uint8Array;
  protected cap: number;
  protected count = 0;
  protected table: Int32Array;
  protected mask: number;
  protected maxItems: number;
  protected readonly packer: Packer;

  /** `slotWords`: 32-bit words of one index table slot. */
  constructor(private readonly kind: string, stateBytes: number, initialCapacity: number, slotWords: number) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    const w = wordsPerState(stateBytes);
    this.stateWords = w;
    const cap = Math.max(1, Math.min(Math.floor(initialCapacity), maxStatesFor(w)));
    this.cap = cap;
    this.words = takeInt32(cap * w);
    this.bytes = new Uint8Array(this.words.buffer, 0, this.words.byteLength);
    const slots = nextPow2(Math.ceil(cap / MAX_LOAD) + 1);
    this.table = takeInt32(slots * slotWords);
    this.mask = slots - 1;
    this.maxItems = Math.floor(slots * MAX_LOAD);
    this.packer = new Packer(stateBytes);
  }

  get size(): number {
    return this.count;
  }

  /** Copy state `index` into `out[outOffset..]` (`stateBytes` bytes, no allocation). */
  get(index: number, out: Uint8Array, outOffset = 0): void {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`${this.kind}.get: no state ${index} (size ${this.count})`);
    const sb = this.stateBytes;
    const a = this.bytes;
    const p = index * 4 * this.stateWords;
    for (let j = 0; j < sb; j++) out[outOffset + j] = a[p + j]!;
  }

  /** Copy the words of state `index` into `out[outOffset..]` (`stateWords` words). */
  getWords(index: number, out: Int32Array, outOffset = 0): void {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`${this.kind}.getWords: no state ${index} (size ${this.count})`);
    const sw = this.stateWords;
    const a = this.words;
    const p = index * sw;
    for (let j = 0; j < sw; j++) out[outOffset + j] = a[p + j]!;
  }

  bytesUsed(): number {
    return this.words.byteLength + this.table.byteLength;
  }

  headroom(): number {
    return Math.min(this.maxItems, this.cap) - this.count;
  }

  bytesUsedAfterInsert(): number {
    let bytes = this.bytesUsed();
    if (this.count >= this.maxItems) bytes += this.table.byteLength;
    if (this.count >= this.cap) bytes += (grownCapacity(this.cap, this.stateWords) - this.cap) * 4 * this.stateWords;
    return bytes;
  }

  protected growArena(): void {
    this.checkLive();
    const sw = this.stateWords;
    const cap = grownCapacity(this.cap, sw);
    if (cap <= this.count) {
      throw new RangeError(`${this.kind}: arena limit of ${this.count} states of ${this.stateBytes} bytes reached (2^32-byte typed array limit)`);
    }
    const words = grownInt32(this.words, cap * sw);
    this.words = words;
    this.bytes = new Uint8Array(words.buffer, 0, words.byteLength);
    this.cap = cap;
  }

  /**
   * Hand the store's arrays back for reuse by later stores of this thread
   * (src/core/buffer-pool.ts); the store must not be used afterwards.
   */
  release(): void {
    giveBack(this.words);
    giveBack(this.table);
    // empty and unable to grow: a use after release finds nothing, or throws
    this.words = new Int32Array(0);
    this.table = new Int32Array(4);
    this.bytes = new Uint8Array(0);
    this.cap = this.count = this.maxItems = this.mask = 0;
    this.released = true;
  }

  private released = false;

  protected checkLive(): void {
    if (this.released) throw new Error(`${this.kind}: used after release()`);
  }
}


export class StateStore extends ArenaStore implements DedupStore {
  /** Slot word: (tag << bits) | (index + 1), as int32; 0 = empty. */
  private bits: number;
  /** `touchAll`'s scratch: the slot words read in its first phase */
  private slotWords = new Int32Array(0);

  constructor(stateBytes: number, initialCapacity = 1024) {
    super('StateStore', stateBytes, initialCapacity, 1);
    this.bits = Math.log2(this.mask + 1);
  }

  override bytesUsed(): number {
    return super.bytesUsed() + this.slotWords.byteLength;
  }

  /**
   * The 32-bit hash of the state at `src[off..]` (= the low half of its
   * fingerprint64): its low `log2(tableSize)` bits choose the slot, the
   * other bits form the tag. Overridable only so tests can force collisions.
   */
  protected hash(src: Int32Array, off: number): number {
    return hashWords(src, off, this.stateWords, this.stateBytes);
  }

  /** States the arena can hold before it grows. */
  get capacity(): number {
    return this.cap;
  }

  /** Number of slots of the index table (a power of two). */
  get tableSize(): number {
    return this.table.length;
  }

  insert(buf: Uint8Array, offset = 0): number {
    const w = this.packer.pack(buf, offset);
    return this.insertHashedWords(w, 0, this.hash(w, 0), 0);
  }

  /** Index of the state at `buf[offset..]`, or -1 if absent. */
  indexOf(buf: Uint8Array, offset = 0): number {
    const w = this.packer.pack(buf, offset);
    return this.indexOfHashed(w, 0, this.hash(w, 0));
  }

  has(buf: Uint8Array, offset = 0): boolean {
    return this.indexOf(buf, offset) >= 0;
  }

  hashPairWords(src: Int32Array, off: number, out: Int32Array, at: number): void {
    out[at] = this.hash(src, off);
    out[at + 1] = 0;
  }

  touchAll(hashes: Int32Array, n: number): number {
    if (this.slotWords.length < n) this.slotWords = new Int32Array(n);
    const seen = this.slotWords;
    const table = this.table;
    const mask = this.mask;
    const bits = this.bits;
    // Phase 1: the home slots (independent loads). Phase 2: the arena
    // entries those slots' tags point at (independent of each other).
    for (let j = 0; j < n; j++) seen[j] = table[hashes[2 * j]! & mask]!;
    const arena = this.words;
    const sw = this.stateWords;
    let t = 0;
    for (let j = 0; j < n; j++) {
      const e = seen[j]!;
      if (e !== 0 && (e ^ hashes[2 * j]!) >>> bits === 0) t ^= arena[((e & mask) - 1) * sw]!;
    }
    return t;
  }

  hasHashedWords(src: Int32Array, off: number, h: number, _hi: number): boolean {
    return this.indexOfHashed(src, off, h) >= 0;
  }

  insertHashedWords(src: Int32Array, off: number, h: number, _hi: number): number {
    const bits = this.bits;
    const mask = this.mask;
    const table = this.table;
    const sw = this.stateWords;
    const arena = this.words;
    let slot = h & mask;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if ((e ^ h) >>> bits === 0) {
        const idx = (e & mask) - 1;
        const p = idx * sw;
        let j = 0;
        while (j < sw && arena[p + j] === src[off + j]) j++;
        if (j === sw) return -(idx + 1);
      }
      slot = (slot + 1) & mask;
    }
    // New state.
    const idx = this.count;
    if (idx >= this.maxItems) {
      this.growTable();
      slot = this.findEmpty(h);
    }
    if (idx >= this.cap) this.growArena();
    const a = this.words;
    const p = idx * sw;
    for (let j = 0; j < sw; j++) a[p + j] = src[off + j]!;
    this.table[slot] = ((h >>> this.bits) << this.bits) | (idx + 1);
    this.count = idx + 1;
    return idx;
  }

  private indexOfHashed(src: Int32Array, off: number, h: number): number {
    const bits = this.bits;
    const mask = this.mask;
    const table = this.table;
    const sw = this.stateWords;
    const arena = this.words;
    let slot = h & mask;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) return -1;
      if ((e ^ h) >>> bits === 0) {
        const idx = (e & mask) - 1;
        const p = idx * sw;
        let j = 0;
        while (j < sw && arena[p + j] === src[off + j]) j++;
        if (j === sw) return idx;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * A view of state `index` into the arena (allocates a small view object;
   * valid until the arena grows or the store is released: the memory is then reused).
   */
  view(index: number): Uint8Array {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`StateStore.view: no state ${index} (size ${this.count})`);
    const p = index * 4 * this.stateWords;
    return this.bytes.subarray(p, p + this.stateBytes);
  }

  private findEmpty(h: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  private growTable(): void {
    this.checkLive();
    const slots = this.table.length * 2;
    if (slots > 2 ** 31) throw new RangeError('StateStore: index table limit reached');
    const table = takeInt32(slots);
    giveBack(this.table);
    const mask = slots - 1;
    const bits = this.bits + 1;
    this.table = table;
    this.mask = mask;
    this.bits = bits;
    this.maxItems = Math.floor(slots * MAX_LOAD);
    const sw = this.stateWords;
    const arena = this.words;
    const n = this.count;
    // Hash a batch first, then place it: the placement loop's cache misses
    // overlap instead of alternating with hashing (about 2x faster).
    const hashes = new Int32Array(Math.min(n, 4096));
    for (let i0 = 0; i0 < n; i0 += hashes.length) {
      const m = Math.min(hashes.length, n - i0);
      for (let j = 0; j < m; j++) hashes[j] = this.hash(arena, (i0 + j) * sw);
      for (let j = 0; j < m; j++) {
        const h = hashes[j]!;
        let slot = h & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = ((h >>> bits) << bits) | (i0 + j + 1);
      }
    }
  }

}

// ---------------------------------------------------------------------------
// SmallStateStore: full states of at most 8 bytes, kept in the table itself
// ---------------------------------------------------------------------------

/** Largest state `SmallStateStore` holds. */
export const SMALL_STATE_BYTES = 8;

/**
 * Exact like `StateStore`, for states of at most 8 bytes: the index table's
 * slots hold the states themselves, so a lookup reads one slot and never
 * the arena (one cache miss instead of two). An all-zero slot is empty;
 * the all-zero state is remembered apart. The arena keeps the states in
 * insertion order for the BFS. `insert` returns -1 for a state already
 * present (it does not know the index), like `FingerprintStore`.
 */
export class SmallStateStore extends ArenaStore implements DedupStore {
  /** the all-zero state is stored (its slot would look empty) */
  private hasZero = false;

  constructor(stateBytes: number, initialCapacity = 1024) {
    if (stateBytes > SMALL_STATE_BYTES) throw new RangeError(`SmallStateStore: states of at most ${SMALL_STATE_BYTES} bytes, got ${stateBytes}`);
    super('SmallStateStore', stateBytes, initialCapacity, wordsPerState(stateBytes));
  }

  insert(buf: Uint8Array, offset = 0): number {
    const w = this.packer.pack(buf, offset);
    return this.insertHashedWords(w, 0, hashWords(w, 0, this.stateWords, this.stateBytes), 0);
  }

  has(buf: Uint8Array, offset = 0): boolean {
    const w = this.packer.pack(buf, offset);
    return this.hasHashedWords(w, 0, hashWords(w, 0, this.stateWords, this.stateBytes), 0);
  }

  hashPairWords(src: Int32Array, off: number, out: Int32Array, at: number): void {
    out[at] = hashWords(src, off, this.stateWords, this.stateBytes);
    out[at + 1] = 0;
  }

  touchAll(hashes: Int32Array, n: number): number {
    const table = this.table;
    const mask = this.mask;
    const sw = this.stateWords;
    let t = 0;
    for (let j = 0; j < n; j++) t ^= table[(hashes[2 * j]! & mask) * sw]!;
    return t;
  }

  /** The slot holding the state at `src[off..]`, or the empty slot where it would go, as -(slot + 1). */
  private find(src: Int32Array, off: number, h: number): number {
    const table = this.table;
    const mask = this.mask;
    const w0 = src[off]!;
    let slot = h & mask;
    if (this.stateWords === 1) {
      for (;;) {
        const e = table[slot]!;
        if (e === w0) return slot;
        if (e === 0) return -(slot + 1);
        slot = (slot + 1) & mask;
      }
    }
    const w1 = src[off + 1]!;
    for (;;) {
      const e0 = table[2 * slot]!;
      const e1 = table[2 * slot + 1]!;
      if (e0 === w0 && e1 === w1) return slot;
      if (e0 === 0 && e1 === 0) return -(slot + 1);
      slot = (slot + 1) & mask;
    }
  }

  /** `hashPairWords`'s first hash of the state (w0, w1) (`w1` is 0 for states of at most 4 bytes). */
  hashPair(w0: number, w1: number): number {
    return hashWordPair(w0, w1, this.stateWords, this.stateBytes);
  }

  /**
   * `insertHashedWords` of the state (w0, w1) with hash `h` (`hashPair`),
   * for a caller that knows `headroom()` > 0 (nothing grows here): the new
   * index, -1 if already present, -2 for the all-zero state (which only
   * `insertHashedWords` handles).
   */
  insertPairFast(w0: number, w1: number, h: number): number {
    // `find`'s probe written out (and `growTable`'s placement likewise): this runs once per
    // transition, and calling a shared probe measured about 10% slower on the heavy run's stream
    if (w0 === 0 && w1 === 0) return -2;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    if (this.stateWords === 1) {
      for (;;) {
        const e = table[slot]!;
        if (e === w0) return -1;
        if (e === 0) break;
        slot = (slot + 1) & mask;
      }
      table[slot] = w0;
      this.words[this.count] = w0;
      return this.count++;
    }
    for (;;) {
      const e0 = table[2 * slot]!;
      const e1 = table[2 * slot + 1]!;
      if (e0 === w0 && e1 === w1) return -1;
      if (e0 === 0 && e1 === 0) break;
      slot = (slot + 1) & mask;
    }
    table[2 * slot] = w0;
    table[2 * slot + 1] = w1;
    const idx = this.count;
    this.words[2 * idx] = w0;
    this.words[2 * idx + 1] = w1;
    this.count = idx + 1;
    return idx;
  }

  private isZero(src: Int32Array, off: number): boolean {
    return src[off] === 0 && (this.stateWords === 1 || src[off + 1] === 0);
  }

  hasHashedWords(src: Int32Array, off: number, h: number, _hi: number): boolean {
    if (this.isZero(src, off)) return this.hasZero;
    return this.find(src, off, h) >= 0;
  }

  insertHashedWords(src: Int32Array, off: number, h: number, _hi: number): number {
    const zero = this.isZero(src, off);
    let slot = -1;
    if (zero) {
      if (this.hasZero) return -1;
    } else {
      const f = this.find(src, off, h);
      if (f >= 0) return -1;
      slot = -f - 1;
    }
    const idx = this.count;
    const sw = this.stateWords;
    if (idx >= this.maxItems) {
      this.growTable();
      if (!zero) slot = -this.find(src, off, h) - 1;
    }
    if (idx >= this.cap) this.growArena();
    for (let j = 0; j < sw; j++) this.words[idx * sw + j] = src[off + j]!;
    if (zero) this.hasZero = true;
    else for (let j = 0; j < sw; j++) this.table[slot * sw + j] = src[off + j]!;
    this.count = idx + 1;
    return idx;
  }

  private growTable(): void {
    this.checkLive();
    const slots = 2 * (this.mask + 1);
    if (slots * this.stateWords * 4 > MAX_TYPED_ARRAY_BYTES) throw new RangeError('SmallStateStore: table limit reached');
    const sw = this.stateWords;
    const old = this.table;
    const table = takeInt32(slots * sw);
    const mask = slots - 1;
    // Move the keys in the old table's order: a key's new home is its old
    // home or that plus the old size, so the writes run nearly in order too.
    // One loop per state width (no loop over a state's words): this runs
    // for every state stored so far, a few percent of a big run's time.
    const sb = this.stateBytes;
    if (sw === 2) {
      for (let p = 0; p < old.length; p += 2) {
        const w0 = old[p]!;
        const w1 = old[p + 1]!;
        if (w0 === 0 && w1 === 0) continue;
        let slot = hashWordPair(w0, w1, 2, sb) & mask;
        while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
        table[2 * slot] = w0;
        table[2 * slot + 1] = w1;
      }
    } else {
      for (let p = 0; p < old.length; p++) {
        const w0 = old[p]!;
        if (w0 === 0) continue;
        let slot = hashWordPair(w0, 0, 1, sb) & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = w0;
      }
    }
    giveBack(old);
    this.table = table;
    this.mask = mask;
    this.maxItems = Math.floor(slots * MAX_LOAD);
  }

}

// ---------------------------------------------------------------------------
// FingerprintStore: hash compaction
// ---------------------------------------------------------------------------

export class FingerprintStore implements DedupStore {
  readonly stateBytes: number;
  readonly stateWords: number;
  /** Interleaved [lo, hi] fingerprint halves (int32); (0, 0) marks an empty slot. */
  private table: Int32Array;
  private mask: number;
  private maxItems: number;
  private count = 0;
  private readonly packer: Packer;
  /** High half of the fingerprint computed by the last `hash` call. */
  protected hi = 0;

  constructor(stateBytes: number, initialCapacity = 1024) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    this.stateWords = wordsPerState(stateBytes);
    const slots = nextPow2(Math.ceil(Math.max(1, initialCapacity) / MAX_LOAD) + 1);
    this.table = new Int32Array(slots * 2);
    this.mask = slots - 1;
    this.maxItems = Math.floor(slots * MAX_LOAD);
    this.packer = new Packer(stateBytes);
  }

  /**
   * Returns the low half of fingerprint64 and leaves the high half in
   * `this.hi`; a fingerprint (0, 0) is mapped to (0, 1). Overridable only so
   * tests can force collisions.
   */
  protected hash(src: Int32Array, off: number): number {
    const lo = hashWords(src, off, this.stateWords, this.stateBytes);
    const hi = hashWordsB(src, off, this.stateWords, this.stateBytes);
    this.hi = lo === 0 && hi === 0 ? 1 : hi;
    return lo;
  }

  get size(): number {
    return this.count;
  }

  /** Returns the new index (>= 0) if the fingerprint was new, else -1. */
  insert(buf: Uint8Array, offset = 0): number {
    const w = this.packer.pack(buf, offset);
    const lo = this.hash(w, 0);
    return this.insertHashedWords(w, 0, lo, this.hi);
  }

  has(buf: Uint8Array, offset = 0): boolean {
    const w = this.packer.pack(buf, offset);
    const lo = this.hash(w, 0);
    return this.hasHashedWords(w, 0, lo, this.hi);
  }

  hashPairWords(src: Int32Array, off: number, out: Int32Array, at: number): void {
    out[at] = this.hash(src, off);
    out[at + 1] = this.hi;
  }

  touchAll(hashes: Int32Array, n: number): number {
    const table = this.table;
    const mask = this.mask;
    let t = 0;
    for (let j = 0; j < n; j++) t ^= table[2 * (hashes[2 * j]! & mask)]!;
    return t;
  }

  insertHashedWords(_src: Int32Array, _off: number, h1: number, h2: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h1 & mask;
    for (;;) {
      const lo = table[2 * slot]!;
      const hi = table[2 * slot + 1]!;
      if (lo === 0 && hi === 0) break;
      if (lo === h1 && hi === h2) return -1;
      slot = (slot + 1) & mask;
    }
    const idx = this.count;
    if (idx >= this.maxItems) {
      this.growTable();
      slot = this.findEmpty(h1);
    }
    this.table[2 * slot] = h1;
    this.table[2 * slot + 1] = h2;
    this.count = idx + 1;
    return idx;
  }

  hasHashedWords(_src: Int32Array, _off: number, h1: number, h2: number): boolean {
    const table = this.table;
    const mask = this.mask;
    let slot = h1 & mask;
    for (;;) {
      const lo = table[2 * slot]!;
      const hi = table[2 * slot + 1]!;
      if (lo === 0 && hi === 0) return false;
      if (lo === h1 && hi === h2) return true;
      slot = (slot + 1) & mask;
    }
  }

  bytesUsed(): number {
    return this.table.byteLength;
  }

  headroom(): number {
    return this.maxItems - this.count;
  }

  bytesUsedAfterInsert(): number {
    return this.count >= this.maxItems ? 2 * this.table.byteLength : this.table.byteLength;
  }

  /**
   * Birthday bound on the probability that at least one state was wrongly
   * taken for an already-seen one (hence omitted): n(n-1)/2 pairs, each
   * colliding with probability 2^-64, i.e. n(n-1)/2^65 (capped at 1).
   */
  omissionProbability(): number {
    return FingerprintStore.omissionProbabilityFor(this.count);
  }

  static omissionProbabilityFor(n: number): number {
    return n < 2 ? 0 : Math.min(1, (n * (n - 1)) / 2 ** 65);
  }

  private findEmpty(h1: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h1 & mask;
    while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  private growTable(): void {
    const old = this.table;
    const slots = old.length; // = 2 * the old slot count
    if (slots > 2 ** 30) throw new RangeError('FingerprintStore: table limit reached');
    const table = new Int32Array(slots * 2);
    const mask = slots - 1;
    for (let s = 0; s < old.length; s += 2) {
      const lo = old[s]!;
      const hi = old[s + 1]!;
      if (lo === 0 && hi === 0) continue;
      let slot = lo & mask;
      while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = lo;
      table[2 * slot + 1] = hi;
    }
    this.table = table;
    this.mask = mask;
    this.maxItems = Math.floor(slots * MAX_LOAD);
  }
}

// ---------------------------------------------------------------------------
// StateQueue: FIFO of packed states (for hash-compact BFS)
// ---------------------------------------------------------------------------

/**
 * A FIFO of packed states in one growable word arena. Consumed space at the
 * front is reclaimed by compaction when the arena is full and at least a
 * quarter of it has been consumed; otherwise the arena grows.
 */
export class StateQueue {
  readonly stateBytes: number;
  readonly stateWords: number;
  private words: Int32Array;
  private cap: number;
  private head = 0;
  private tail = 0;
  private readonly packer: Packer;

  constructor(stateBytes: number, initialCapacity = 1024) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    this.stateWords = wordsPerState(stateBytes);
    this.cap = Math.max(1, Math.min(Math.floor(initialCapacity), maxStatesFor(this.stateWords)));
    this.words = new Int32Array(this.cap * this.stateWords);
    this.packer = new Packer(stateBytes);
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(src: Uint8Array, offset = 0): void {
    this.pushWords(this.packer.pack(src, offset), 0);
  }

  pushWords(src: Int32Array, off: number): void {
    if (this.tail === this.cap) this.makeRoom();
    const sw = this.stateWords;
    const w = this.words;
    const p = this.tail * sw;
    for (let j = 0; j < sw; j++) w[p + j] = src[off + j]!;
    this.tail++;
  }

  /** Copy the oldest state into `out` and remove it; false if empty. */
  shift(out: Uint8Array, outOffset = 0): boolean {
    if (!this.shiftWords(this.packer.words, 0)) return false;
    const b = this.packer.bytes;
    for (let j = 0; j < b.length; j++) out[outOffset + j] = b[j]!;
    return true;
  }

  shiftWords(out: Int32Array, outOffset: number): boolean {
    if (this.head === this.tail) return false;
    const sw = this.stateWords;
    const w = this.words;
    const p = this.head * sw;
    for (let j = 0; j < sw; j++) out[outOffset + j] = w[p + j]!;
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
    return true;
  }

  bytesUsed(): number {
    return this.words.byteLength;
  }

  /** Pushes possible before the queue compacts or allocates. */
  headroom(): number {
    return this.cap - this.tail;
  }

  /** `bytesUsed()` after one more push. */
  bytesUsedAfterPush(): number {
    if (this.tail < this.cap || this.canCompact()) return this.words.byteLength;
    return grownCapacity(this.cap, this.stateWords) * 4 * this.stateWords;
  }

  private canCompact(): boolean {
    return this.head > 0 && this.head * 4 >= this.cap;
  }

  private makeRoom(): void {
    const sw = this.stateWords;
    if (this.canCompact()) {
      this.words.copyWithin(0, this.head * sw, this.tail * sw);
      this.tail -= this.head;
      this.head = 0;
      return;
    }
    const cap = grownCapacity(this.cap, sw);
    if (cap <= this.cap) throw new RangeError('StateQueue: typed array limit reached');
    const words = new Int32Array(cap * sw);
    words.set(this.words.subarray(this.head * sw, this.tail * sw));
    this.tail -= this.head;
    this.head = 0;
    this.words = words;
    this.cap = cap;
  }
}
