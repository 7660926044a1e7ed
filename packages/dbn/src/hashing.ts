import { DeepBeliefError } from '@deepbelief/core';

/** Bits set in a 32-bit word. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Binary codes as memory addresses (semantic hashing, Salakhutdinov & Hinton 2009): each item
 * is stored under its code, and a query finds the items whose codes differ from its own in at
 * most d bits, either by visiting every address in the Hamming ball (when the ball is smaller
 * than the collection, as in the paper) or by one scan with popcounts. Both give exactly the
 * items within distance d.
 */
export class HammingIndex {
  /** Code length in bits. */
  readonly bits: number;
  /** Number of items. */
  readonly size: number;
  private readonly words: number;
  /** Packed codes, `words` 32-bit words per item, bit b of the code in word b >> 5. */
  private readonly packed: Uint32Array;
  /** Items by address: the code itself when it fits one 32-bit word, else a string of its words. */
  private readonly table = new Map<number | string, number[]>();

  /**
   * @param codes `size × bits` values, row-major; a value ≥ 0.5 is a 1 bit (so codes may be
   *   the code layer's outputs as they are, thresholded at 0.5 here).
   */
  constructor(codes: ArrayLike<number>, bits: number) {
    if (!Number.isInteger(bits) || bits < 1)
      throw new DeepBeliefError(`HammingIndex: bits must be a positive integer, got ${bits}`);
    if (codes.length % bits !== 0)
      throw new DeepBeliefError(
        `HammingIndex: ${codes.length} values are not a whole number of ${bits}-bit codes`,
      );
    this.bits = bits;
    this.size = codes.length / bits;
    this.words = Math.ceil(bits / 32);
    this.packed = new Uint32Array(this.size * this.words);
    for (let i = 0; i < this.size; i++) {
      const code = this.pack(
        codes,
        i * bits,
        this.packed.subarray(i * this.words, (i + 1) * this.words),
      );
      const key = this.key(code);
      const list = this.table.get(key);
      if (list) list.push(i);
      else this.table.set(key, [i]);
    }
  }

  /** The packed code of item `i`. */
  code(i: number): Uint32Array {
    return this.packed.slice(i * this.words, (i + 1) * this.words);
  }

  /** Packs `bits` values of `values` from `offset` (≥ 0.5 is 1) into `out`. */
  pack(
    values: ArrayLike<number>,
    offset = 0,
    out: Uint32Array = new Uint32Array(this.words),
  ): Uint32Array {
    if (values.length - offset < this.bits)
      throw new DeepBeliefError(
        `HammingIndex: a query needs ${this.bits} values, got ${values.length - offset}`,
      );
    out.fill(0);
    for (let b = 0; b < this.bits; b++)
      if (values[offset + b]! >= 0.5) out[b >>> 5] = (out[b >>> 5]! | (1 << (b & 31))) >>> 0;
    return out;
  }

  /** Hamming distance between a packed query and item `i`. */
  distance(query: Uint32Array, i: number): number {
    let d = 0;
    for (let w = 0; w < this.words; w++)
      d += popcount((query[w]! ^ this.packed[i * this.words + w]!) >>> 0);
    return d;
  }

  /** Hamming distances from `query` (a packed code, or `bits` values) to every item. */
  distances(query: Uint32Array | ArrayLike<number>): Uint16Array {
    const q = query instanceof Uint32Array ? query : this.pack(query);
    const out = new Uint16Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.distance(q, i);
    return out;
  }

  /**
   * The items within Hamming distance `d` of `query` (a packed code, or `bits` values), in
   * increasing order of index.
   */
  within(query: Uint32Array | ArrayLike<number>, d: number): number[] {
    if (!Number.isInteger(d) || d < 0)
      throw new DeepBeliefError(`HammingIndex: the distance must be an integer ≥ 0, got ${d}`);
    const q = query instanceof Uint32Array ? query : this.pack(query);
    const radius = Math.min(d, this.bits);
    const out: number[] = [];
    if (ballSize(this.bits, radius) < this.size) {
      // visit every address in the ball: flip each set of ≤ radius bits
      const probe = q.slice();
      const visit = (from: number, left: number) => {
        const hit = this.table.get(this.key(probe));
        if (hit) out.push(...hit);
        if (left === 0) return;
        for (let b = from; b < this.bits; b++) {
          probe[b >>> 5] = (probe[b >>> 5]! ^ (1 << (b & 31))) >>> 0;
          visit(b + 1, left - 1);
          probe[b >>> 5] = (probe[b >>> 5]! ^ (1 << (b & 31))) >>> 0;
        }
      };
      visit(0, radius);
      return out.sort((a, b) => a - b);
    }
    for (let i = 0; i < this.size; i++) if (this.distance(q, i) <= radius) out.push(i);
    return out;
  }

  /**
   * The `k` items nearest to `query` by Hamming distance, nearest first (ties by index), with
   * their distances.
   */
  nearest(
    query: Uint32Array | ArrayLike<number>,
    k: number,
  ): { index: number; distance: number }[] {
    if (!Number.isInteger(k) || k < 1)
      throw new DeepBeliefError(`HammingIndex: k must be a positive integer, got ${k}`);
    const q = query instanceof Uint32Array ? query : this.pack(query);
    // counting sort by distance: distances are 0..bits
    const byDistance: number[][] = Array.from({ length: this.bits + 1 }, () => []);
    for (let i = 0; i < this.size; i++) byDistance[this.distance(q, i)]!.push(i);
    const out: { index: number; distance: number }[] = [];
    for (let dist = 0; dist <= this.bits && out.length < k; dist++)
      for (const index of byDistance[dist]!) {
        if (out.length === k) break;
        out.push({ index, distance: dist });
      }
    return out;
  }

  private key(code: Uint32Array): number | string {
    if (this.words === 1) return code[0]!;
    return Array.from(code, (w) => w.toString(36)).join(',');
  }
}

/** Σ_{i ≤ d} C(n, i), capped at 2^53 (it only decides between probing and scanning). */
function ballSize(n: number, d: number): number {
  let total = 0;
  let c = 1;
  for (let i = 0; i <= d; i++) {
    total += c;
    if (total > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
    c = (c * (n - i)) / (i + 1);
  }
  return total;
}
