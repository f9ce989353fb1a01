import { constants, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createZstdFramesDecoder, FrameCutter, zstdFrameLength } from './zstd-frames.js';

const text = (n: number, salt = 0) =>
  Buffer.from(Array.from({ length: n }, (_, i) => `row ${i * 7919 + salt}\n`).join(''));

/** A skippable frame (RFC 8878 3.1.2): magic 0x184D2A5?, a length, that many bytes of anything. */
function skippable(payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(0x184d2a53, 0);
  head.writeUInt32LE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** Decode `input` fed in pieces of `step` bytes; the output, and how many pieces were in before the first output. */
async function decode(input: Buffer, step: number): Promise<{ out: Buffer; firstOutputAfter: number }> {
  const d = createZstdFramesDecoder();
  const parts: Buffer[] = [];
  let written = 0;
  let firstOutputAfter = -1;
  d.on('data', (b: Buffer) => {
    if (firstOutputAfter < 0) firstOutputAfter = written;
    parts.push(b);
  });
  const done = new Promise<void>((resolve, reject) => {
    d.on('end', resolve);
    d.on('error', reject);
  });
  for (let i = 0; i < input.length; i += step) {
    const ok = d.write(input.subarray(i, i + step));
    written++;
    if (!ok) await new Promise((r) => d.once('drain', r));
    // Let the decoder's thread-pool work run, as a file read would.
    await new Promise((r) => setImmediate(r));
  }
  d.end();
  await done;
  return { out: Buffer.concat(parts), firstOutputAfter };
}

describe('zstdFrameLength', () => {
  it('finds where each frame ends, whatever its blocks and flags', () => {
    const big = zstdCompressSync(text(50_000));
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

describe('FrameCutter', () => {
  it('cuts a stream fed in pieces of any size exactly where each frame ends', () => {
    const frames = [
      zstdCompressSync(text(30_000)),
      skippable(Buffer.from('metadata')),
      zstdCompressSync(text(10, 1), { params: { [constants.ZSTD_c_checksumFlag]: 1 } }),
      zstdCompressSync(Buffer.alloc(0)),
      skippable(Buffer.alloc(0)),
      zstdCompressSync(text(5000, 2)),
    ];
    const stream = Buffer.concat(frames);
    const ends: number[] = [];
    for (const f of frames) ends.push((ends.at(-1) ?? 0) + f.length);
    for (const step of [1, 2, 3, 7, 100, 4096, stream.length]) {
      const cutter = new FrameCutter();
      const got: number[] = [];
      let pos = 0;
      for (let i = 0; i < stream.length; i += step) {
        let piece = stream.subarray(i, i + step);
        while (piece.length > 0) {
          const { bytes, ends: frameEnds } = cutter.cut(piece);
          pos += bytes;
          piece = piece.subarray(bytes);
          if (frameEnds) got.push(pos);
        }
      }
      expect(got, `step ${step}`).toEqual(ends);
      expect(cutter.midFrame).toBe(false);
    }
  });
});

describe('createZstdFramesDecoder', () => {
  it('decodes every frame, skipping skippable ones, whatever the pieces', async () => {
    const a = text(20_000);
    const b = text(3000, 5);
    const input = Buffer.concat([zstdCompressSync(a), skippable(Buffer.from('x')), zstdCompressSync(b)]);
    for (const step of [1000, 65_536]) expect((await decode(input, step)).out.equals(Buffer.concat([a, b]))).toBe(true);
  });

  it('streams one big frame: rows come out long before its last byte is in', async () => {
    const plain = text(300_000);
    const input = zstdCompressSync(plain);
    const step = 4096;
    const pieces = Math.ceil(input.length / step);
    const { out, firstOutputAfter } = await decode(input, step);
    expect(out.equals(plain)).toBe(true);
    expect(firstOutputAfter).toBeGreaterThan(0);
    expect(firstOutputAfter).toBeLessThan(pieces / 4);
  });

  it('a cut-off last frame gives what it can, then ZSTD_TRUNCATED', async () => {
    const plain = text(50_000);
    const input = zstdCompressSync(plain);
    await expect(decode(input.subarray(0, input.length - 100), 4096)).rejects.toMatchObject({ code: 'ZSTD_TRUNCATED' });
  });
});
