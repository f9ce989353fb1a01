import { zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zstdFrameLength } from './zstd-frames.js';

describe('zstdFrameLength', () => {
  it('finds where each frame ends, whatever its blocks and flags', () => {
    const big = zstdCompressSync(Buffer.from(Array.from({ length: 50_000 }, (_, i) => `row ${i * 7919}\n`).join('')));
    const small = zstdCompressSync(Buffer.from('x'));
    const both = Buffer.concat([big, small]);
    expect(zstdFrameLength(both)).toBe(big.length);
    expect(zstdFrameLength(both.subarray(big.length))).toBe(small.length);
  });

  it('waits for the rest of a frame that is not all there, and refuses what is not zstd', () => {
    const frame = zstdCompressSync(Buffer.from('hello world '.repeat(100)));
    expect(zstdFrameLength(frame.subarray(0, frame.length - 1))).toBeUndefined();
    expect(() => zstdFrameLength(Buffer.from('not zstd at all'))).toThrow(/not a zstd frame/);
  });
});
