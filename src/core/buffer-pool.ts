/**
 * Reused memory for the explorer's and the collapse's typed arrays.
 *
 * A default `verify` explores thousands of small runs one after another in
 * each worker, and every run grows its hash tables and arenas by doubling:
 * about 250 KB of fresh ArrayBuffers per run. V8 counts ArrayBuffers as
 * external memory and answers their churn with full garbage collections,
 * whose concurrent marking runs on background threads; with one worker per
 * core those threads take CPU from the workers. Arrays taken here come from
 * buffers given back by earlier runs of the same thread instead.
 *
 * Contract: `take*` returns a zero-filled array of exactly the length asked
 * for (a view of a buffer that may be larger), like `new`. `giveBack` hands
 * its buffer back for reuse: the caller must not touch the array, or any
 * other view of its buffer, afterwards. Arrays not taken here may be given
 * back too (they are ignored), so a caller need not know where an array
 * came from. Buffers of power-of-two sizes from 256 bytes to 1 MiB are
 * kept, at most POOL_MAX_BYTES in all per thread; larger arrays are made
 * exactly and left to the garbage collector (big runs are few; their
 * arrays must not cost more than they are counted for).
 *
 * Memory accounting (`--max-memory`) counts arrays by their length: an
 * array under 1 MiB may sit in a buffer up to twice its size (under 1 MiB
 * extra per pooled array in use: about ten per run), and the free lists
 * hold up to POOL_MAX_BYTES per thread; neither is counted.
 */

const MIN_SHIFT = 8;
const MAX_SHIFT = 20;

/** Largest array (bytes) served from the pool; larger ones are allocated exactly, as by `new`. */
export const POOL_MAX_ARRAY_BYTES = 1 << MAX_SHIFT;

/** Most bytes the free lists of one thread hold. */
export const POOL_MAX_BYTES = 16 << 20;

/** Free buffers by size class (byteLength = 2^k). */
const free: ArrayBuffer[][] = Array.from({ length: MAX_SHIFT + 1 }, () => []);
/** Buffers this pool made (only these are taken back). */
const ours = new WeakSet<ArrayBuffer>();
let freeBytes = 0;

function shiftFor(bytes: number): number {
  let k = MIN_SHIFT;
  while (1 << k < bytes) k++;
  return k;
}

function takeBuffer(bytes: number): ArrayBuffer {
  if (bytes > POOL_MAX_ARRAY_BYTES) return new ArrayBuffer(bytes);
  const k = shiftFor(bytes);
  const b = free[k]!.pop();
  if (b === undefined) {
    const fresh = new ArrayBuffer(1 << k);
    ours.add(fresh);
    return fresh;
  }
  freeBytes -= b.byteLength;
  new Uint8Array(b, 0, bytes).fill(0);
  return b;
}

export function takeInt32(length: number): Int32Array<ArrayBuffer> {
  return new Int32Array(takeBuffer(4 * length), 0, length);
}

export function takeUint32(length: number): Uint32Array<ArrayBuffer> {
  return new Uint32Array(takeBuffer(4 * length), 0, length);
}

export function takeUint16(length: number): Uint16Array<ArrayBuffer> {
  return new Uint16Array(takeBuffer(2 * length), 0, length);
}

/** Hand the buffer under `a` back for reuse (ignored for buffers not taken here). */
export function giveBack(a: ArrayBufferView): void {
  const b = a.buffer as ArrayBuffer;
  if (!ours.has(b)) return;
  const list = free[shiftFor(b.byteLength)]!;
  if (list.includes(b)) throw new Error('buffer-pool: a buffer was given back twice');
  if (freeBytes + b.byteLength > POOL_MAX_BYTES) return;
  list.push(b);
  freeBytes += b.byteLength;
}

/** A copy of `a` in `b` (at least as long), taken here; `a` is given back. */
function moved<T extends Int32Array | Uint32Array | Uint16Array>(a: T, b: T): T {
  b.set(a);
  giveBack(a);
  return b;
}

/** A copy of `a` in an array of `length` (>= a.length) taken here; `a` is given back. */
export function grownInt32(a: Int32Array, length: number): Int32Array<ArrayBuffer> {
  return moved(a as Int32Array<ArrayBuffer>, takeInt32(length));
}

export function grownUint32(a: Uint32Array, length: number): Uint32Array<ArrayBuffer> {
  return moved(a as Uint32Array<ArrayBuffer>, takeUint32(length));
}

export function grownUint16(a: Uint16Array, length: number): Uint16Array<ArrayBuffer> {
  return moved(a as Uint16Array<ArrayBuffer>, takeUint16(length));
}

/** Bytes held by this thread's free lists (tests). */
export function pooledBytes(): number {
  return freeBytes;
}
