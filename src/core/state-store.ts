/**
 * Deduplicating state stores for the explorer, built on typed arrays only
 * (a JS Set/Map caps at 2^24 entries and costs far more bytes per state).
 *
 * - `StateStore` keeps every FULL packed state in one contiguous arena, in
 *   insertion order (state index = insertion order, so the arena doubles as
 *   the BFS queue). An open-addressing (linear probing) hash table of 32-bit
 *   words maps a 64-bit fingerprint to a state index; each word packs
 *   `index + 1` in its low `log2(tableSize)` bits and a tag (the high bits of
 *   the second fingerprint half) in the remaining high bits, so most probe
 *   misses are rejected without touching the arena. A tag match is always
 *   confirmed by a full byte comparison: two distinct states are never
 *   confused.
 * - `FingerprintStore` ("hash compaction") keeps only the 64-bit fingerprint
 *   of each state. Two distinct states with the same fingerprint are
 *   confused (the second is silently dropped), with probability bounded by
 *   `omissionProbability()`. It cannot give states back: a BFS over it keeps
 *   its queue of states in a `StateQueue`.
 *
 * Insert convention (both stores, see `DedupStore.insert`): a result >= 0 is
 * the index of a NEW state (= the number of states stored before it); a
 * negative result means "already present" (`StateStore` returns
 * `-(existingIndex + 1)`, `FingerprintStore` returns -1 as it does not keep
 * indices).
 *
 * Limits: a Node 20 typed array holds at most 2^32 bytes, so the arena holds
 * at most floor(2^32 / stateBytes) states (a RangeError is thrown beyond).
 */

/** Maximum number of bytes of one typed array in Node 20 (buffer.constants.MAX_LENGTH). */
export const MAX_TYPED_ARRAY_BYTES = 2 ** 32;

/** Maximum load factor of the open-addressing tables before they double. */
export const MAX_LOAD = 0.7;

/** Growth factor of the arenas and the explorer's per-state arrays. */
export const ARENA_GROWTH = 1.5;

// ---------------------------------------------------------------------------
// Fingerprint
// ---------------------------------------------------------------------------

/**
 * Lane 1: MurmurHash3_x86_32 of `len` bytes of `buf` from `off` (seed
 * 0), as a signed 32-bit integer. This is the low half of
 * `fingerprint64`, and all that `StateStore` needs (its slot and its tag are
 * disjoint bit ranges of this value; a tag match is always confirmed by a
 * full byte comparison).
 */
export function hash32(buf: Uint8Array, off: number, len: number): number {
  let h = 0;
  const end4 = off + (len & ~3);
  let i = off;
  for (; i < end4; i += 4) {
    let k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51 | 0);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + (0xe6546b64 | 0)) | 0;
  }
  const rem = len & 3;
  if (rem !== 0) {
    let k = buf[i]!;
    if (rem > 1) k |= buf[i + 1]! << 8;
    if (rem > 2) k |= buf[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51 | 0);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35 | 0);
  return h ^ (h >>> 16);
}

/**
 * Lane 2: an xxHash32-style accumulator (different seed, multipliers and
 * avalanche than lane 1) over the same little-endian 32-bit words, as a
 * signed 32-bit integer: the high half of `fingerprint64`.
 */
export function hash32b(buf: Uint8Array, off: number, len: number): number {
  let h = (0x165667b1 + len) | 0;
  const end4 = off + (len & ~3);
  let i = off;
  for (; i < end4; i += 4) {
    const k = buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24);
    h = (h + Math.imul(k, 0x85ebca77 | 0)) | 0;
    h = (h << 13) | (h >>> 19);
    h = Math.imul(h, 0x9e3779b1 | 0);
  }
  const rem = len & 3;
  if (rem !== 0) {
    let k = buf[i]!;
    if (rem > 1) k |= buf[i + 1]! << 8;
    if (rem > 2) k |= buf[i + 2]! << 16;
    h = (h + Math.imul(k, 0x165667b1)) | 0;
    h = (h << 17) | (h >>> 15);
    h = Math.imul(h, 0x27d4eb2f);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77 | 0);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d | 0);
  return h ^ (h >>> 16);
}

/**
 * The 64-bit fingerprint of a state, as a bigint `(hi << 32n) | lo` with
 * `lo = hash32 >>> 0` and `hi = hash32b >>> 0`. Pure: the same bytes always
 * give the same fingerprint. `FingerprintStore` stores exactly these 64 bits.
 */
export function fingerprint64(buf: Uint8Array, offset = 0, length = buf.length - offset): bigint {
  return (BigInt(hash32b(buf, offset, length) >>> 0) << 32n) | BigInt(hash32(buf, offset, length) >>> 0);
}

function nextPow2(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}

function grownCapacity(cap: number, stateBytes: number): number {
  const max = Math.floor(MAX_TYPED_ARRAY_BYTES / stateBytes);
  const want = Math.max(cap + 16, Math.ceil(cap * ARENA_GROWTH));
  return Math.min(want, max);
}

function checkStateBytes(stateBytes: number): void {
  if (!Number.isInteger(stateBytes) || stateBytes < 1) {
    throw new RangeError(`stateBytes must be a positive integer, got ${stateBytes}`);
  }
}

// ---------------------------------------------------------------------------
// Common interface
// ---------------------------------------------------------------------------

/** What the explorer needs from a deduplicating store. */
export interface DedupStore {
  readonly stateBytes: number;
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

  // Batched use (the explorer): hash a batch of states first, `touch` them
  // all (issuing their cache misses together), then insert them in order.
  // (lo, hi) are whatever `hashPair` wrote; passing anything else is a bug.

  /** Write the store's hash words of the state at `buf[offset..]` into out[at], out[at + 1]. */
  hashPair(buf: Uint8Array, offset: number, out: Int32Array, at: number): void;
  /** Read the memory an insert with this hash will probe first (a software prefetch); the result is meaningless. */
  touch(lo: number, hi: number): number;
  /** `insert` with a precomputed `hashPair`. */
  insertHashed(buf: Uint8Array, offset: number, lo: number, hi: number): number;
  /** `has` with a precomputed `hashPair`. */
  hasHashed(buf: Uint8Array, offset: number, lo: number, hi: number): boolean;
}

// ---------------------------------------------------------------------------
// StateStore: full states
// ---------------------------------------------------------------------------

export class StateStore implements DedupStore {
  readonly stateBytes: number;
  private arena: Uint8Array;
  private cap: number;
  private count = 0;
  /** Slot word: (tag << bits) | (index + 1), as int32; 0 = empty. */
  private table: Int32Array;
  private mask: number;
  private bits: number;
  private maxItems: number;

  constructor(stateBytes: number, initialCapacity = 1024) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    const cap = Math.max(1, Math.min(Math.floor(initialCapacity), Math.floor(MAX_TYPED_ARRAY_BYTES / stateBytes)));
    this.cap = cap;
    this.arena = new Uint8Array(cap * stateBytes);
    const slots = nextPow2(Math.ceil(cap / MAX_LOAD) + 1);
    this.table = new Int32Array(slots);
    this.mask = slots - 1;
    this.bits = Math.log2(slots);
    this.maxItems = Math.floor(slots * MAX_LOAD);
  }

  /**
   * The 32-bit hash of the state at `buf[offset..]` (the low half of its
   * fingerprint64): its low `log2(tableSize)` bits choose the slot, the
   * other bits form the tag. Overridable only so tests can force collisions.
   */
  protected hash(buf: Uint8Array, offset: number): number {
    return hash32(buf, offset, this.stateBytes);
  }

  get size(): number {
    return this.count;
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
    return this.insertHashed(buf, offset, this.hash(buf, offset), 0);
  }

  hashPair(buf: Uint8Array, offset: number, out: Int32Array, at: number): void {
    out[at] = this.hash(buf, offset);
    out[at + 1] = 0;
  }

  touch(h: number, _hi: number): number {
    const e = this.table[h & this.mask]!;
    if (e !== 0 && (e ^ h) >>> this.bits === 0) return this.arena[((e & this.mask) - 1) * this.stateBytes]!;
    return e;
  }

  hasHashed(buf: Uint8Array, offset: number, h: number, _hi: number): boolean {
    return this.indexOfHashed(buf, offset, h) >= 0;
  }

  insertHashed(buf: Uint8Array, offset: number, h: number, _hi: number): number {
    const bits = this.bits;
    const mask = this.mask;
    const table = this.table;
    const sb = this.stateBytes;
    const arena = this.arena;
    let slot = h & mask;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if ((e ^ h) >>> bits === 0) {
        const idx = (e & mask) - 1;
        const p = idx * sb;
        let j = 0;
        while (j < sb && arena[p + j] === buf[offset + j]) j++;
        if (j === sb) return -(idx + 1);
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
    const a = this.arena;
    const p = idx * sb;
    for (let j = 0; j < sb; j++) a[p + j] = buf[offset + j]!;
    this.table[slot] = ((h >>> this.bits) << this.bits) | (idx + 1);
    this.count = idx + 1;
    return idx;
  }

  /** Index of the state at `buf[offset..]`, or -1 if absent. */
  indexOf(buf: Uint8Array, offset = 0): number {
    return this.indexOfHashed(buf, offset, this.hash(buf, offset));
  }

  private indexOfHashed(buf: Uint8Array, offset: number, h: number): number {
    const bits = this.bits;
    const mask = this.mask;
    const table = this.table;
    const sb = this.stateBytes;
    const arena = this.arena;
    let slot = h & mask;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) return -1;
      if ((e ^ h) >>> bits === 0) {
        const idx = (e & mask) - 1;
        const p = idx * sb;
        let j = 0;
        while (j < sb && arena[p + j] === buf[offset + j]) j++;
        if (j === sb) return idx;
      }
      slot = (slot + 1) & mask;
    }
  }

  has(buf: Uint8Array, offset = 0): boolean {
    return this.indexOf(buf, offset) >= 0;
  }

  /** Copy state `index` into `out[outOffset..]` (no allocation). */
  get(index: number, out: Uint8Array, outOffset = 0): void {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`StateStore.get: no state ${index} (size ${this.count})`);
    const sb = this.stateBytes;
    const a = this.arena;
    const p = index * sb;
    for (let j = 0; j < sb; j++) out[outOffset + j] = a[p + j]!;
  }

  /**
   * A view of state `index` into the arena (allocates a small view object;
   * invalidated — it keeps showing the old arena — when the arena grows).
   */
  view(index: number): Uint8Array {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`StateStore.view: no state ${index} (size ${this.count})`);
    return this.arena.subarray(index * this.stateBytes, (index + 1) * this.stateBytes);
  }

  bytesUsed(): number {
    return this.arena.byteLength + this.table.byteLength;
  }

  headroom(): number {
    return Math.min(this.maxItems, this.cap) - this.count;
  }

  bytesUsedAfterInsert(): number {
    let bytes = this.bytesUsed();
    if (this.count >= this.maxItems) bytes += this.table.byteLength;
    if (this.count >= this.cap) bytes += (grownCapacity(this.cap, this.stateBytes) - this.cap) * this.stateBytes;
    return bytes;
  }

  private findEmpty(h: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    return slot;
  }

  private growTable(): void {
    const slots = this.table.length * 2;
    if (slots > 2 ** 31) throw new RangeError('StateStore: index table limit reached');
    const table = new Int32Array(slots);
    const mask = slots - 1;
    const bits = this.bits + 1;
    this.table = table;
    this.mask = mask;
    this.bits = bits;
    this.maxItems = Math.floor(slots * MAX_LOAD);
    const sb = this.stateBytes;
    const arena = this.arena;
    const n = this.count;
    // Hash a batch first, then place it: the placement loop's cache misses
    // overlap instead of alternating with hashing (about 2x faster).
    const hashes = new Int32Array(Math.min(n, 4096));
    for (let i0 = 0; i0 < n; i0 += hashes.length) {
      const m = Math.min(hashes.length, n - i0);
      for (let j = 0; j < m; j++) hashes[j] = this.hash(arena, (i0 + j) * sb);
      for (let j = 0; j < m; j++) {
        const h = hashes[j]!;
        let slot = h & mask;
        while (table[slot] !== 0) slot = (slot + 1) & mask;
        table[slot] = ((h >>> bits) << bits) | (i0 + j + 1);
      }
    }
  }

  private growArena(): void {
    const cap = grownCapacity(this.cap, this.stateBytes);
    if (cap <= this.count) {
      throw new RangeError(`StateStore: arena limit of ${this.count} states of ${this.stateBytes} bytes reached (2^32-byte typed array limit)`);
    }
    const arena = new Uint8Array(cap * this.stateBytes);
    arena.set(this.arena);
    this.arena = arena;
    this.cap = cap;
  }
}

// ---------------------------------------------------------------------------
// FingerprintStore: hash compaction
// ---------------------------------------------------------------------------

export class FingerprintStore implements DedupStore {
  readonly stateBytes: number;
  /** Interleaved [lo, hi] fingerprint halves (int32); (0, 0) marks an empty slot. */
  private table: Int32Array;
  private mask: number;
  private maxItems: number;
  private count = 0;
  /** High half of the fingerprint computed by the last `hash` call. */
  protected hi = 0;

  constructor(stateBytes: number, initialCapacity = 1024) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    const slots = nextPow2(Math.ceil(Math.max(1, initialCapacity) / MAX_LOAD) + 1);
    this.table = new Int32Array(slots * 2);
    this.mask = slots - 1;
    this.maxItems = Math.floor(slots * MAX_LOAD);
  }

  /**
   * Returns the low half of fingerprint64 and leaves the high half in
   * `this.hi`; a fingerprint (0, 0) is mapped to (0, 1). Overridable only so
   * tests can force collisions.
   */
  protected hash(buf: Uint8Array, offset: number): number {
    const lo = hash32(buf, offset, this.stateBytes);
    const hi = hash32b(buf, offset, this.stateBytes);
    this.hi = lo === 0 && hi === 0 ? 1 : hi;
    return lo;
  }

  get size(): number {
    return this.count;
  }

  /** Returns the new index (>= 0) if the fingerprint was new, else -1. */
  insert(buf: Uint8Array, offset = 0): number {
    const lo = this.hash(buf, offset);
    return this.insertHashed(buf, offset, lo, this.hi);
  }

  hashPair(buf: Uint8Array, offset: number, out: Int32Array, at: number): void {
    out[at] = this.hash(buf, offset);
    out[at + 1] = this.hi;
  }

  touch(lo: number, _hi: number): number {
    return this.table[2 * (lo & this.mask)]!;
  }

  insertHashed(_buf: Uint8Array, _offset: number, h1: number, h2: number): number {
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

  has(buf: Uint8Array, offset = 0): boolean {
    const lo = this.hash(buf, offset);
    return this.hasHashed(buf, offset, lo, this.hi);
  }

  hasHashed(_buf: Uint8Array, _offset: number, h1: number, h2: number): boolean {
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
    const slots = old.length; // = 2 * old slot count
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
 * A FIFO of packed states in one growable arena. Consumed space at the front
 * is reclaimed by compaction when the arena is full and at least a quarter
 * of it has been consumed; otherwise the arena grows.
 */
export class StateQueue {
  readonly stateBytes: number;
  private buf: Uint8Array;
  private cap: number;
  private head = 0;
  private tail = 0;

  constructor(stateBytes: number, initialCapacity = 1024) {
    checkStateBytes(stateBytes);
    this.stateBytes = stateBytes;
    this.cap = Math.max(1, Math.min(Math.floor(initialCapacity), Math.floor(MAX_TYPED_ARRAY_BYTES / stateBytes)));
    this.buf = new Uint8Array(this.cap * stateBytes);
  }

  get length(): number {
    return this.tail - this.head;
  }

  push(src: Uint8Array, offset = 0): void {
    if (this.tail === this.cap) this.makeRoom();
    const sb = this.stateBytes;
    const b = this.buf;
    const p = this.tail * sb;
    for (let j = 0; j < sb; j++) b[p + j] = src[offset + j]!;
    this.tail++;
  }

  /** Copy the oldest state into `out` and remove it; false if empty. */
  shift(out: Uint8Array, outOffset = 0): boolean {
    if (this.head === this.tail) return false;
    const sb = this.stateBytes;
    const b = this.buf;
    const p = this.head * sb;
    for (let j = 0; j < sb; j++) out[outOffset + j] = b[p + j]!;
    this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
    return true;
  }

  bytesUsed(): number {
    return this.buf.byteLength;
  }

  /** Pushes possible before the queue compacts or allocates. */
  headroom(): number {
    return this.cap - this.tail;
  }

  /** `bytesUsed()` after one more push. */
  bytesUsedAfterPush(): number {
    if (this.tail < this.cap || this.canCompact()) return this.buf.byteLength;
    return grownCapacity(this.cap, this.stateBytes) * this.stateBytes;
  }

  private canCompact(): boolean {
    return this.head > 0 && this.head * 4 >= this.cap;
  }

  private makeRoom(): void {
    const sb = this.stateBytes;
    if (this.canCompact()) {
      this.buf.copyWithin(0, this.head * sb, this.tail * sb);
      this.tail -= this.head;
      this.head = 0;
      return;
    }
    const cap = grownCapacity(this.cap, sb);
    if (cap <= this.cap) throw new RangeError('StateQueue: typed array limit reached');
    const buf = new Uint8Array(cap * sb);
    buf.set(this.buf.subarray(this.head * sb, this.tail * sb));
    this.tail -= this.head;
    this.head = 0;
    this.buf = buf;
    this.cap = cap;
  }
}
