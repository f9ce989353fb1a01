import { describe, expect, it } from 'vitest';
import { chunkSeed, Mulberry32, mulberry32 } from './random.js';

// mulberry32 as published (Tommy Ettinger), written out here independently of ours.
function reference(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [0, 1, 42, 0x7fffffff, 0x80000000, 0xffffffff, chunkSeed(7, 3), chunkSeed(2 ** 40, 2 ** 33)];

describe('Mulberry32', () => {
  it('gives the published sequence for seeds across the 32-bit range', () => {
    for (const seed of SEEDS) {
      const ours = new Mulberry32(seed);
      const theirs = reference(seed);
      for (let i = 0; i < 1_000; i++) {
        const [a, b] = [ours.next(), theirs()];
        if (a !== b) throw new Error(`seed ${seed}, draw ${i}: ${a} !== ${b}`);
      }
    }
  });

  it('starts the sequence over on reset, as a new generator would', () => {
    const reused = new Mulberry32(99);
    for (let i = 0; i < 10; i++) reused.next();
    for (const seed of SEEDS) {
      reused.reset(seed);
      const fresh = reference(seed);
      const draws = Array.from({ length: 50 }, () => reused.next());
      expect(draws).toEqual(Array.from({ length: 50 }, () => fresh()));
    }
  });

  it('picks and coin flips draw from the same sequence as next()', () => {
    for (const seed of SEEDS) {
      const ours = new Mulberry32(seed);
      const theirs = reference(seed);
      for (let i = 0; i < 1_000; i++) {
        const length = [2, 7, 1_563, 19_425, 86_400_000][i % 5] as number;
        if (i % 3 === 0) expect(ours.below(0.1)).toBe(theirs() < 0.1);
        else expect(ours.pick(length)).toBe(Math.floor(theirs() * length));
        expect(ours.next()).toBe(theirs());
      }
    }
  });

  it('backs the mulberry32 function', () => {
    const f = mulberry32(12345);
    const g = reference(12345);
    expect(Array.from({ length: 20 }, f)).toEqual(Array.from({ length: 20 }, g));
    expect(new Set(Array.from({ length: 1_000 }, f)).size).toBe(1_000);
  });
});
