import { describe, expect, it } from 'vitest';
import { giveBack, grownInt32, POOL_MAX_ARRAY_BYTES, POOL_MAX_BYTES, pooledBytes, takeInt32, takeUint16, takeUint32 } from '../../src/core/buffer-pool.ts';

describe('buffer pool', () => {
  it('gives zero-filled arrays of the length asked for, reusing the memory given back', () => {
    const a = takeInt32(100);
    expect(a.length).toBe(100);
    a.fill(-1);
    const before = pooledBytes();
    giveBack(a);
    expect(pooledBytes()).toBe(before + 512);
    const b = takeUint32(90); // same size class: the same buffer, zeroed again
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(90);
    expect([...b].every((x) => x === 0)).toBe(true);
    expect(pooledBytes()).toBe(before);
    const c = takeUint16(5);
    expect(c.length).toBe(5);
    expect(c.buffer).not.toBe(a.buffer);
    giveBack(b);
    giveBack(c);
  });

  it('refuses a buffer given back twice, and ignores arrays it did not make', () => {
    const a = takeInt32(1000);
    giveBack(a);
    expect(() => giveBack(a)).toThrow(/given back twice/);
    const foreign = new Int32Array(64);
    const before = pooledBytes();
    giveBack(foreign);
    expect(pooledBytes()).toBe(before);
    expect(takeInt32(16).buffer).not.toBe(foreign.buffer);
  });

  it('grows a copy and takes the old array back', () => {
    const a = takeInt32(3);
    a.set([7, 8, 9]);
    const b = grownInt32(a, 300);
    expect([...b.subarray(0, 4)]).toEqual([7, 8, 9, 0]);
    expect(b.length).toBe(300);
    expect(takeInt32(2).buffer).toBe(a.buffer);
  });

  it('keeps at most POOL_MAX_BYTES, and makes arrays over POOL_MAX_ARRAY_BYTES exactly, outside the pool', () => {
    const big = takeInt32(POOL_MAX_ARRAY_BYTES / 4 + 1);
    expect(big.buffer.byteLength).toBe(POOL_MAX_ARRAY_BYTES + 4);
    const before = pooledBytes();
    giveBack(big);
    expect(pooledBytes()).toBe(before);
    const arrays = Array.from({ length: 2 * POOL_MAX_BYTES / POOL_MAX_ARRAY_BYTES }, () => takeInt32(POOL_MAX_ARRAY_BYTES / 4));
    for (const a of arrays) giveBack(a);
    expect(pooledBytes()).toBeLessThanOrEqual(POOL_MAX_BYTES);
    expect(pooledBytes()).toBeGreaterThan(POOL_MAX_BYTES - POOL_MAX_ARRAY_BYTES - 1);
  });
});
