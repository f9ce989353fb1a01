import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';

// A .zst file written on several threads (as stampede generate writes it) is many frames one after
// another. Node's zstd decoder before 24.22 stops at the end of the first frame without a word, so
// the loader cuts the stream into frames itself (RFC 8878) and decodes each on its own.

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** The length of the frame at the start of `buf`, or undefined when `buf` does not hold all of it yet. */
export function zstdFrameLength(buf: Buffer): number | undefined {
  if (buf.length < 8) return undefined;
  const magic = buf.readUInt32LE(0);
  if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    const length = 8 + buf.readUInt32LE(4);
    return buf.length >= length ? length : undefined;
  }
  if (magic !== ZSTD_MAGIC) throw Object.assign(new Error('not a zstd frame'), { code: 'ZSTD_BAD_FRAME' });
  const descriptor = buf[4] as number;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictFlag = descriptor & 3;
  let at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]! + [singleSegment, 2, 4, 8][fcsFlag]!;
  for (;;) {
    if (buf.length < at + 3) return undefined;
    const header = buf.readUIntLE(at, 3);
    const last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >> 3;
    if (type === 3) throw Object.assign(new Error('reserved zstd block type'), { code: 'ZSTD_BAD_FRAME' });
    at += 3 + (type === 1 ? 1 : size);
    if (last) break;
  }
  at += checksum ? 4 : 0;
  return buf.length >= at ? at : undefined;
}

/** A zstd decoder that decodes every frame of a multi-frame stream, whatever Node's version. */
export function createZstdFramesDecoder(): Transform {
  let pending: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      try {
        for (let n = zstdFrameLength(pending); n !== undefined; n = zstdFrameLength(pending)) {
          const frame = pending.subarray(0, n);
          pending = pending.subarray(n);
          if (frame.readUInt32LE(0) === ZSTD_MAGIC) this.push(zlib.zstdDecompressSync(frame));
        }
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      if (pending.length === 0) return callback();
      // A cut-off last frame: keep what a streaming decoder can still read of it, then say so.
      const truncated = Object.assign(new Error('the zstd input ends in the middle of a frame'), {
        code: 'ZSTD_TRUNCATED',
      });
      const rest = zlib.createZstdDecompress();
      rest.on('data', (part: Buffer) => this.push(part));
      rest.on('error', () => callback(truncated));
      rest.on('end', () => callback(truncated));
      rest.end(pending);
    },
  });
}

/** Every frame of a whole zstd buffer, decoded and joined (the synchronous form of the decoder). */
export function decodeZstdFrames(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = buf;
  while (rest.length > 0) {
    const n = zstdFrameLength(rest);
    if (n === undefined)
      throw Object.assign(new Error('the zstd input ends in the middle of a frame'), { code: 'ZSTD_TRUNCATED' });
    if (rest.readUInt32LE(0) === ZSTD_MAGIC) parts.push(zlib.zstdDecompressSync(rest.subarray(0, n)));
    rest = rest.subarray(n);
  }
  return Buffer.concat(parts);
}
