import { describe, expect, it } from 'vitest';
import { fc, test as fcTest } from '@fast-check/vitest';
import {
  FingerprintStore,
  MAX_LOAD,
  SmallStateStore,
  StateQueue,
  StateStore,
  fingerprint64,
  hash32,
  hash32b,
  hashWords,
  hashWordsB,
  wordsPerState,
} from '../../src/core/state-store.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Forces fingerprint collisions: 2 possible slots, identical tags for all states. */
class CollidingStateStore extends StateStore {
  protected override hash(src: Int32Array, off: number): number {
    return super.hash(src, off) & 1;
  }
}

/** Every state gets the same fingerprint: hash compaction must then confuse them. */
class ConstantFingerprintStore extends FingerprintStore {
  protected override hash(): number {
    this.hi = 7;
    return 42;
  }
}

function checkAgainstReference(store: StateStore, sb: number, states: Uint8Array[], probes: Uint8Array[]): void {
  const ref = new Map<string, number>();
  const order: Uint8Array[] = [];
  for (const s of states) {
    const key = hex(s);
    const r = store.insert(s);
    const known = ref.get(key);
    if (known === undefined) {
      expect(r).toBe(ref.size);
      ref.set(key, r);
      order.push(s);
    } else {
      expect(r).toBe(-(known + 1));
    }
    expect(store.size).toBe(ref.size);
  }
  const out = new Uint8Array(sb);
  for (let i = 0; i < order.length; i++) {
    expect(hex(store.view(i))).toBe(hex(order[i]!));
    store.get(i, out);
    expect(hex(out)).toBe(hex(order[i]!));
    expect(store.indexOf(order[i]!)).toBe(i);
  }
  for (const p of probes) {
    expect(store.has(p)).toBe(ref.has(hex(p)));
    expect(store.indexOf(p)).toBe(ref.get(hex(p)) ?? -1);
  }
}

describe('StateStore', () => {
  it('numbers new states in insertion order and reports duplicates as -(index+1)', () => {
    const s = new StateStore(3, 1);
    expect(s.insert(Uint8Array.of(1, 2, 3))).toBe(0);
    expect(s.insert(Uint8Array.of(1, 2, 4))).toBe(1);
    expect(s.insert(Uint8Array.of(1, 2, 3))).toBe(-1);
    expect(s.insert(Uint8Array.of(9, 9, 1, 2, 4), 2)).toBe(-2);
    expect(s.insert(Uint8Array.of(9, 9, 9, 9), 1)).toBe(2);
    expect(s.size).toBe(3);
    expect([...s.view(2)]).toEqual([9, 9, 9]);
    const out = new Uint8Array(5);
    s.get(1, out, 2);
    expect([...out]).toEqual([0, 0, 1, 2, 4]);
    expect(() => s.get(3, out)).toThrow(RangeError);
    expect(() => s.view(-1)).toThrow(RangeError);
  });

  it('grows arena and table, keeping load <= MAX_LOAD, and accounts bytes', () => {
    const s = new StateStore(4, 1);
    const before = s.bytesUsed();
    const buf = new Uint8Array(4);
    const dv = new DataView(buf.buffer);
    for (let i = 0; i < 100_000; i++) {
      dv.setUint32(0, i * 2654435761);
      expect(s.insert(buf)).toBe(i);
    }
    expect(s.size).toBe(100_000);
    expect(s.size / s.tableSize).toBeLessThanOrEqual(MAX_LOAD);
    expect(s.capacity).toBeGreaterThanOrEqual(100_000);
    expect(s.bytesUsed()).toBe(s.capacity * 4 + s.tableSize * 4);
    expect(s.bytesUsed()).toBeGreaterThan(before);
    for (let i = 0; i < 100_000; i += 997) {
      dv.setUint32(0, i * 2654435761);
      expect(s.insert(buf)).toBe(-(i + 1));
    }
  });

  it('bytesUsedAfterInsert predicts the growth exactly', () => {
    const s = new StateStore(5, 16);
    const buf = new Uint8Array(5);
    for (let i = 0; i < 5000; i++) {
      buf[0] = i & 0xff;
      buf[1] = i >> 8;
      const predicted = s.bytesUsedAfterInsert();
      const before = s.bytesUsed();
      const headroom = s.headroom();
      s.insert(buf);
      expect(s.bytesUsed()).toBe(predicted);
      // within the headroom an insert allocates nothing
      if (headroom > 0) expect(s.bytesUsed()).toBe(before);
    }
  });

  fcTest.prop(
    [
      fc.integer({ min: 1, max: 6 }).chain((sb) =>
        fc.tuple(
          fc.constant(sb),
          fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 400 }),
          fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 50 }),
        ),
      ),
    ],
    { numRuns: 150 },
  )('never confuses distinct states (tiny table, growth)', ([sb, states, probes]) => {
    checkAgainstReference(new StateStore(sb, 1), sb, states, probes);
  });

  fcTest.prop(
    [
      fc.integer({ min: 1, max: 6 }).chain((sb) =>
        fc.tuple(
          fc.constant(sb),
          fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 300 }),
          fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 50 }),
        ),
      ),
    ],
    { numRuns: 100 },
  )('never confuses distinct states even when every fingerprint collides', ([sb, states, probes]) => {
    checkAgainstReference(new CollidingStateStore(sb, 1), sb, states, probes);
  });
});

describe('fingerprint64', () => {
  it('is pure, respects offset/length, and is a 64-bit value', () => {
    const a = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const f = fingerprint64(a);
    expect(fingerprint64(Uint8Array.of(1, 2, 3, 4, 5, 6, 7))).toBe(f);
    expect(fingerprint64(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), 1)).toBe(f);
    expect(fingerprint64(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), 0, 7)).toBe(f);
    expect(f).toBeGreaterThanOrEqual(0n);
    expect(f).toBeLessThan(1n << 64n);
    expect((BigInt(hash32b(a, 0, 7) >>> 0) << 32n) | BigInt(hash32(a, 0, 7) >>> 0)).toBe(f);
    // lane 1 is MurmurHash3_x86_32 with seed 0: published test vectors
    expect(hash32(new TextEncoder().encode('test'), 0, 4) >>> 0).toBe(0xba6bd213);
    expect(hash32(new Uint8Array(0), 0, 0)).toBe(0);
    expect(hash32(Uint8Array.of(0, 0, 0, 0), 0, 4) >>> 0).toBe(0x2362f9de);
  });

  it('has no collisions and both halves are spread over 200k structured inputs', () => {
    const seen = new Set<bigint>();
    const lo = new Set<number>();
    const hi = new Set<number>();
    const buf = new Uint8Array(20);
    for (let i = 0; i < 200_000; i++) {
      buf[0] = i & 0xff;
      buf[1] = (i >> 8) & 0xff;
      buf[2] = i >> 16;
      buf[19] = i % 7;
      const f = fingerprint64(buf);
      seen.add(f);
      lo.add(Number(f & 0xffffn));
      hi.add(Number(f >> 48n));
    }
    expect(seen.size).toBe(200_000);
    // A uniform 16-bit value over 200k draws takes ~62.4k distinct values.
    expect(lo.size).toBeGreaterThan(61_000);
    expect(hi.size).toBeGreaterThan(61_000);
  });

  it('differs when a single bit of any byte changes (tail lengths included)', () => {
    for (let len = 1; len <= 9; len++) {
      const base = new Uint8Array(len);
      const f0 = fingerprint64(base);
      for (let j = 0; j < len; j++) {
        for (let bit = 0; bit < 8; bit++) {
          const b = base.slice();
          b[j] ^= 1 << bit;
          expect(fingerprint64(b)).not.toBe(f0);
        }
      }
    }
  });
});

describe('word hashing', () => {
  fcTest.prop([fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat({ max: 7 })])(
    'byte and word versions agree (zero-padded little-endian words)',
    (bytes, pad) => {
      const w = new Int32Array(wordsPerState(bytes.length) + 2);
      new Uint8Array(w.buffer, 4, bytes.length).set(bytes);
      const shifted = new Uint8Array(bytes.length + pad);
      shifted.set(bytes, pad);
      expect(hashWords(w, 1, wordsPerState(bytes.length), bytes.length)).toBe(hash32(shifted, pad, bytes.length));
      expect(hashWordsB(w, 1, wordsPerState(bytes.length), bytes.length)).toBe(hash32b(shifted, pad, bytes.length));
    },
  );

  it('wordsPerState rounds up', () => {
    expect([1, 3, 4, 5, 8, 20, 21].map(wordsPerState)).toEqual([1, 1, 1, 2, 2, 5, 6]);
  });
});

describe('FingerprintStore', () => {
  it('has the same insert convention for new states and -1 for present ones', () => {
    const s = new FingerprintStore(2, 1);
    const ref = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const b = Uint8Array.of((i * 37) & 0xff, (i * 11) & 0x3f);
      const r = s.insert(b);
      if (ref.has(hex(b))) expect(r).toBe(-1);
      else {
        expect(r).toBe(ref.size);
        ref.add(hex(b));
      }
      expect(s.has(b)).toBe(true);
    }
    expect(s.size).toBe(ref.size);
    expect(s.bytesUsed()).toBeLessThanOrEqual((ref.size / MAX_LOAD) * 2 * 8 + 256);
  });

  it('confuses states whose fingerprints collide (documented hash-compaction behaviour)', () => {
    const s = new ConstantFingerprintStore(2);
    expect(s.insert(Uint8Array.of(1, 2))).toBe(0);
    expect(s.insert(Uint8Array.of(3, 4))).toBe(-1);
    expect(s.size).toBe(1);
  });

  it('reports the birthday-bound omission probability n(n-1)/2^65', () => {
    const s = new FingerprintStore(4);
    expect(s.omissionProbability()).toBe(0);
    const buf = new Uint8Array(4);
    for (let i = 0; i < 1000; i++) {
      new DataView(buf.buffer).setUint32(0, i);
      s.insert(buf);
    }
    expect(s.size).toBe(1000);
    expect(s.omissionProbability()).toBe((1000 * 999) / 2 ** 65);
    expect(FingerprintStore.omissionProbabilityFor(1)).toBe(0);
    expect(FingerprintStore.omissionProbabilityFor(2 ** 20)).toBe((2 ** 20 * (2 ** 20 - 1)) / 2 ** 65);
    expect(FingerprintStore.omissionProbabilityFor(2 ** 20) / 2 ** -25).toBeCloseTo(1, 5);
    expect(FingerprintStore.omissionProbabilityFor(2 ** 33)).toBe(1);
  });
});

describe('StateQueue', () => {
  fcTest.prop([fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 255 })), { maxLength: 2000 })], {
    numRuns: 100,
  })('is a FIFO across compaction and growth', (ops) => {
    const q = new StateQueue(3, 2);
    const ref: number[] = [];
    const out = new Uint8Array(3);
    for (const op of ops) {
      if (op < 0) {
        const ok = q.shift(out);
        expect(ok).toBe(ref.length > 0);
        if (ok) expect([...out]).toEqual([ref[0], ref[0]! ^ 0x55, 7]);
        ref.shift();
      } else {
        const predicted = q.bytesUsedAfterPush();
        q.push(Uint8Array.of(op, op ^ 0x55, 7));
        expect(q.bytesUsed()).toBe(predicted);
        ref.push(op);
      }
      expect(q.length).toBe(ref.length);
    }
  });
});

describe('SmallStateStore (states of at most 8 bytes, kept in the table)', () => {
  const small = fc.integer({ min: 1, max: 8 }).chain((sb) =>
    fc.record({
      sb: fc.constant(sb),
      // few distinct byte values, so that duplicates, zero words and all-zero states are common
      states: fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 600 }),
      probes: fc.array(fc.uint8Array({ minLength: sb, maxLength: sb, max: 3 }), { maxLength: 50 }),
    }),
  );

  fcTest.prop([small], { numRuns: 150 })('behaves exactly like a set kept in insertion order, across table growth', ({ sb, states, probes }) => {
    const store = new SmallStateStore(sb, 1);
    const ref = new Map<string, number>();
    const order: Uint8Array[] = [];
    for (const s of states) {
      const r = store.insert(s);
      if (ref.has(hex(s))) {
        expect(r).toBe(-1);
      } else {
        expect(r).toBe(ref.size);
        ref.set(hex(s), r);
        order.push(s);
      }
      expect(store.size).toBe(ref.size);
    }
    const out = new Uint8Array(sb);
    const words = new Int32Array(wordsPerState(sb));
    for (let i = 0; i < order.length; i++) {
      store.get(i, out);
      expect(hex(out)).toBe(hex(order[i]!));
      store.getWords(i, words);
      expect(hex(new Uint8Array(words.buffer, 0, sb))).toBe(hex(order[i]!));
    }
    for (const p of probes) expect(store.has(p)).toBe(ref.has(hex(p)));
  });

  it('stores the all-zero state once, apart from the empty slots', () => {
    const store = new SmallStateStore(8, 4);
    expect(store.has(new Uint8Array(8))).toBe(false);
    expect(store.insert(Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 0))).toBe(0);
    expect(store.insert(new Uint8Array(8))).toBe(1);
    expect(store.insert(new Uint8Array(8))).toBe(-1);
    expect(store.has(new Uint8Array(8))).toBe(true);
    for (let i = 1; i <= 100; i++) store.insert(Uint8Array.of(i, 0, 0, 0, 0, 0, 0, 0));
    expect(store.size).toBe(102);
    expect(store.has(new Uint8Array(8))).toBe(true);
    expect(store.insert(new Uint8Array(8))).toBe(-1);
  });

  it('refuses states longer than 8 bytes', () => {
    expect(() => new SmallStateStore(9)).toThrow(/at most 8 bytes, got 9/);
  });

  it('reports the growth an insert would cause before it happens', () => {
    const store = new SmallStateStore(6, 16);
    for (let i = 0; i < 200; i++) {
      const before = store.bytesUsedAfterInsert();
      const room = store.headroom();
      store.insert(Uint8Array.of(i & 0xff, i >> 8, 1, 0, 0, 0));
      expect(store.bytesUsed()).toBe(before);
      if (room > 0) expect(store.headroom()).toBe(room - 1);
    }
  });
});

describe('SmallStateStore word API', () => {
  it('hashPair hashes the words as hashPairWords does, for every state size', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.uint8Array({ minLength: 8, maxLength: 8 }), (sb, raw) => {
      const bytes = new Uint8Array(8);
      bytes.set(raw.subarray(0, sb));
      const words = new Int32Array(bytes.buffer);
      const store = new SmallStateStore(sb);
      const out = new Int32Array(2);
      store.hashPairWords(words, 0, out, 0);
      expect(store.hashPair(words[0]!, sb > 4 ? words[1]! : 0)).toBe(out[0]);
    }));
  });

  // few distinct words, so that duplicates, equal first words and probe chains are common
  const pairs = fc.array(fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: -2, max: 3 })), { maxLength: 400 });

  fcTest.prop([fc.integer({ min: 1, max: 8 }), pairs], { numRuns: 150 })('insertPairFast, called as the explorer calls it, behaves exactly like a set across table growth', (sb, ps) => {
    const store = new SmallStateStore(sb, 1);
    const ref = new Map<string, number>();
    const w = new Int32Array(2);
    // as the explorer calls it: words masked to the state's size, the zero state and a full table left to insertHashedWords
    const m0 = sb >= 4 ? -1 : (1 << (8 * sb)) - 1;
    const m1 = sb >= 8 ? -1 : sb <= 4 ? 0 : (1 << (8 * (sb - 4))) - 1;
    for (const [a, b] of ps) {
      w[0] = a & m0;
      w[1] = b & m1;
      const h = store.hashPair(w[0]!, w[1]!);
      let r = store.headroom() > 0 ? store.insertPairFast(w[0]!, w[1]!, h) : -2;
      if (r === -2) r = store.insertHashedWords(w, 0, h, 0);
      const key = `${w[0]},${w[1]}`;
      if (ref.has(key)) expect(r).toBe(-1);
      else {
        expect(r).toBe(ref.size);
        ref.set(key, r);
      }
    }
    expect(store.size).toBe(ref.size);
    const got = new Int32Array(2);
    for (const [key, i] of ref) {
      store.getWords(i, got);
      expect(`${got[0]},${sb > 4 ? got[1] : 0}`).toBe(key);
    }
  });

  it('insertPairFast agrees with insertHashedWords and leaves the zero state to it', () => {
    const a = new SmallStateStore(8, 64);
    const b = new SmallStateStore(8, 64);
    const w = new Int32Array(2);
    for (let i = 1; i < 40; i++) {
      w[0] = i % 7;
      w[1] = i % 5;
      const h = a.hashPair(w[0]!, w[1]!);
      const got = w[0] === 0 && w[1] === 0 ? -2 : a.insertPairFast(w[0]!, w[1]!, h);
      const want = b.insertHashedWords(w, 0, h, 0);
      if (got === -2) expect(a.insertHashedWords(w, 0, h, 0)).toBe(want);
      else expect(got).toBe(want);
    }
    expect(a.size).toBe(b.size);
    expect(a.size).toBe(35); // i mod 35 fixes (i mod 7, i mod 5): 35 distinct pairs, (0, 0) at i = 35, i = 36..39 repeat 1..4
  });
});
