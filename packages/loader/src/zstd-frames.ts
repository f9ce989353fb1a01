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
  const { bytes, ends } = new FrameCutter().cut(buf);
  return ends ? bytes : undefined;
}

/** A stream or buffer that ends inside a frame. */
function truncatedError(): Error {
  return Object.assign(new Error('the zstd input ends in the middle of a frame'), { code: 'ZSTD_TRUNCATED' });
}

/** Where a {@link FrameCutter} is in the current frame. */
type CutState = 'header' | 'block-header' | 'block' | 'checksum' | 'skip';

/**
 * Follows the frames of a zstd stream as its bytes arrive (RFC 8878: a frame header, blocks each
 * with a 3-byte header, an optional checksum; skippable frames), so that each frame can be handed
 * to a decoder of its own while it is still being read — never held whole.
 */
export class FrameCutter {
  #state: CutState = 'header';
  /** Bytes of the header being read (the frame's, or a block's). */
  #head: number[] = [];
  /** Bytes left in the current block, checksum or skippable frame. */
  #left = 0;
  #lastBlock = false;
  #checksum = false;
  #skippable = false;

  /** Whether the bytes so far end inside a frame. */
  get midFrame(): boolean {
    return this.#state !== 'header' || this.#head.length > 0;
  }

  /** Whether the current frame is a skippable one (its bytes are not data). */
  get skippable(): boolean {
    return this.#skippable;
  }

  /**
   * How many bytes at the start of `buf` belong to the current frame, and whether the frame
   * ends with them (the next byte starts another).
   * @throws an error with code ZSTD_BAD_FRAME for bytes that are not a zstd frame.
   */
  cut(buf: Buffer): { bytes: number; ends: boolean } {
    let i = 0;
    while (i < buf.length) {
      switch (this.#state) {
        case 'header': {
          this.#head.push(buf[i++] as number);
          const h = this.#head;
          if (h.length === 4) {
            const magic =
              ((h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16) | ((h[3] as number) << 24)) >>> 0;
            this.#skippable = (magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC;
            if (!this.#skippable && magic !== ZSTD_MAGIC) {
              throw Object.assign(new Error('not a zstd frame'), { code: 'ZSTD_BAD_FRAME' });
            }
          } else if (this.#skippable && h.length === 8) {
            this.#left =
              ((h[4] as number) | ((h[5] as number) << 8) | ((h[6] as number) << 16) | ((h[7] as number) << 24)) >>> 0;
            this.#head = [];
            this.#state = 'skip';
            if (this.#left === 0) return this.#frameEnd(i);
          } else if (!this.#skippable && h.length >= 5) {
            const d = h[4] as number;
            const singleSegment = (d >> 5) & 1;
            this.#checksum = ((d >> 2) & 1) === 1;
            const length = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][d & 3]! + [singleSegment, 2, 4, 8][d >> 6]!;
            if (h.length === length) {
              this.#head = [];
              this.#state = 'block-header';
            }
          }
          break;
        }
        case 'block-header': {
          this.#head.push(buf[i++] as number);
          if (this.#head.length < 3) break;
          const header =
            (this.#head[0] as number) | ((this.#head[1] as number) << 8) | ((this.#head[2] as number) << 16);
          this.#head = [];
          const type = (header >> 1) & 3;
          if (type === 3) throw Object.assign(new Error('reserved zstd block type'), { code: 'ZSTD_BAD_FRAME' });
          this.#lastBlock = (header & 1) === 1;
          this.#left = type === 1 ? 1 : header >> 3;
          this.#state = 'block';
          if (this.#left === 0 && this.#blockDone()) return this.#frameEnd(i);
          break;
        }
        case 'block':
        case 'checksum':
        case 'skip': {
          const take = Math.min(this.#left, buf.length - i);
          i += take;
          this.#left -= take;
          if (this.#left > 0) break;
          if (this.#state !== 'block' || this.#blockDone()) return this.#frameEnd(i);
          break;
        }
      }
    }
    return { bytes: i, ends: false };
  }

  /** After a block's last byte: true when the frame ends here, else the next state is set. */
  #blockDone(): boolean {
    if (!this.#lastBlock) {
      this.#state = 'block-header';
      return false;
    }
    if (this.#checksum) {
      this.#state = 'checksum';
      this.#left = 4;
      return false;
    }
    return true;
  }

  #frameEnd(bytes: number): { bytes: number; ends: boolean } {
    this.#state = 'header';
    this.#head = [];
    return { bytes, ends: true };
  }
}

/**
 * A zstd decoder that decodes every frame of a multi-frame stream, whatever Node's version, and
 * streams each frame as it arrives: a frame goes to a streaming decoder of its own, so a file of one
 * big frame is neither held whole nor decoded in one blocking call (which held a 1M-row file's
 * 264 MB at once, and made its load wait for the whole read).
 */
export function createZstdFramesDecoder(): Transform {
  const cutter = new FrameCutter();
  let inner: Transform | undefined;
  /** The first error of a frame's decoder (damaged data), checked before every wait. */
  let failure: Error | undefined;
  const open = (out: Transform): Transform => {
    const d = zlib.createZstdDecompress({ chunkSize: 64 * 1024 });
    d.on('data', (part: Buffer) => out.push(part));
    d.on('error', (error) => {
      failure ??= error;
    });
    return d;
  };
  /** Until `event`, or the decoder's error (also one that came before). */
  const until = (d: Transform, event: string) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      const onError = (error: Error) => {
        d.off(event, onEvent);
        reject(error);
      };
      const onEvent = () => {
        d.off('error', onError);
        resolve();
      };
      d.once(event, onEvent);
      d.once('error', onError);
    });
  const closeFrame = async () => {
    const d = inner as Transform;
    inner = undefined;
    const ended = until(d, 'end');
    d.end();
    await ended;
  };
  const feed = async (out: Transform, chunk: Buffer) => {
    let rest = chunk;
    while (rest.length > 0) {
      if (failure) throw failure;
      const { bytes, ends } = cutter.cut(rest);
      const part = rest.subarray(0, bytes);
      rest = rest.subarray(bytes);
      if (!cutter.skippable && bytes > 0) {
        inner ??= open(out);
        if (!inner.write(part)) await until(inner, 'drain');
      }
      if (ends && inner) await closeFrame();
    }
    if (failure) throw failure;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      feed(this, chunk).then(() => callback(), callback);
    },
    flush(callback: TransformCallback) {
      if (!cutter.midFrame) return callback();
      // A cut-off last frame: what its decoder could read of it is out; then say so.
      const truncated = truncatedError();
      if (!inner) return callback(truncated);
      closeFrame().then(
        () => callback(truncated),
        () => callback(truncated),
      );
    },
  });
}

/** Every frame of a whole zstd buffer, decoded and joined (the synchronous form of the decoder). */
export function decodeZstdFrames(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = buf;
  while (rest.length > 0) {
    const n = zstdFrameLength(rest);
    if (n === undefined) throw truncatedError();
    if (rest.readUInt32LE(0) === ZSTD_MAGIC) parts.push(zlib.zstdDecompressSync(rest.subarray(0, n)));
    rest = rest.subarray(n);
  }
  return Buffer.concat(parts);
}
