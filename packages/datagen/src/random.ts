/** A seeded generator of floats in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, 32-bit state; ample for picking names, not for secrets. */
export function mulberry32(seed: number): Random {
  const m = new Mulberry32(seed);
  return () => m.next();
}

/**
 * {@link mulberry32} as one object that is re-seeded in place: a hot loop that calls it
 * always calls the same function. A new closure per chunk made V8 throw away the
 * renderer's optimized code at the second chunk ("wrong call target") and compile it again.
 */
export class Mulberry32 {
  // Kept as a signed 32-bit integer, so the field never changes representation.
  private a: number;
  // The last draw, an unsigned 32-bit integer: a double field, updated in place.
  private u = 0.5;

  constructor(seed = 0) {
    this.a = seed | 0;
  }

  /** Start over from `seed`: the same sequence as `new Mulberry32(seed)`. */
  reset(seed: number): void {
    this.a = seed | 0;
  }

  private advance(): void {
    const a = (this.a + 0x6d2b79f5) | 0;
    this.a = a;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    this.u = (t ^ (t >>> 14)) >>> 0;
  }

  /** The next float in [0, 1). */
  next(): number {
    this.advance();
    return this.u / 4294967296;
  }

  /**
   * `Math.floor(next() * length)`. A float returned from a function V8 has not inlined is
   * boxed, 12 bytes: where the renderer's optimizer did not inline next(), its 12 draws per
   * record made 1.3 MB of garbage per chunk of 10,000. An index is a small integer, never boxed.
   */
  pick(length: number): number {
    this.advance();
    return Math.floor((this.u / 4294967296) * length);
  }

  /** `next() < p`, without a float crossing a call (see {@link Mulberry32.pick}). */
  below(p: number): boolean {
    this.advance();
    return this.u / 4294967296 < p;
  }
}

/** A 32-bit avalanche (murmur3's finalizer): nearby inputs give unrelated outputs. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The seed of one chunk, from the run's seed and the chunk's index only, so a chunk's
 * records do not depend on which thread made them or how many threads there were.
 * Both halves of a safe-integer seed and chunk index count.
 */
export function chunkSeed(seed: number, chunkIndex: number): number {
  const seedHi = Math.floor(seed / 4294967296);
  const indexHi = Math.floor(chunkIndex / 4294967296);
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ seedHi);
  h = fmix32(h ^ (chunkIndex >>> 0));
  return fmix32(h ^ indexHi ^ 0x7f4a7c15);
}
