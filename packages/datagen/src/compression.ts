// The default import, not named ones: a named import of zstdCompressSync would fail to link on a
// Node older than 22.15, where the rest of the package still works.
import zlib from 'node:zlib';

/** How the output is compressed. */
export const COMPRESSIONS = ['none', 'gzip', 'zstd'] as const;

/**
 * `none`; `gzip` (RFC 1952, one member per chunk); `zstd` (RFC 8878, one frame per chunk, Node >= 22.15).
 * Concatenated gzip members and concatenated zstd frames are each one valid file for every decoder.
 */
export type Compression = (typeof COMPRESSIONS)[number];

/** Whether `value` is one of {@link COMPRESSIONS}. */
export function isCompression(value: unknown): value is Compression {
  return typeof value === 'string' && (COMPRESSIONS as readonly string[]).includes(value);
}

/** The compression a file name implies (`users.csv.gz` → `gzip`, `users.ndjson.zst` → `zstd`), else `none`. */
export function compressionFromPath(path: string): Compression {
  const lower = path.toLowerCase();
  if (lower.endsWith('.gz')) return 'gzip';
  if (lower.endsWith('.zst')) return 'zstd';
  return 'none';
}

/** `path` without a compression suffix, for the format its name implies (`users.ndjson.zst` → `users.ndjson`). */
export function withoutCompressionSuffix(path: string): string {
  return path.replace(/\.(gz|zst)$/i, '');
}

/** Whether this Node has zstd in node:zlib (22.15 and later). */
export function hasZstd(): boolean {
  return typeof zlib.zstdCompressSync === 'function';
}

// Levels chosen for speed (bench/compression-levels.bench.js, 1M users' chunks on one thread):
// gzip 1 took 2.6 s against 8.6 s for zlib's default 6, for 72 MB against 61 MB of 305 MB;
// zstd 1 took 0.7-1.6 s for 65 MB, and zstd 3 (its default) 1.1-2.5 s for 58 MB. Rendering
// takes ~1.1 s, so at level 6 gzip was most of a run and at level 1 it still is.
const GZIP_LEVEL = 1;
const ZSTD_LEVEL = 1;

/**
 * One chunk compressed as a self-contained gzip member or zstd frame, in memory that can be
 * transferred to another thread (zlib's result may be in Buffer's pool, which cannot).
 */
export function compressChunk(bytes: Uint8Array, compression: Compression): Uint8Array {
  if (compression === 'none') return bytes;
  // One output buffer big enough for the whole result, not zlib's default run of 16 kB ones:
  // fewer allocations left for a collection to free (see worker.ts).
  const chunkSize = Math.max(64 * 1024, bytes.length >> 1);
  const out =
    compression === 'gzip'
      ? zlib.gzipSync(bytes, { level: GZIP_LEVEL, chunkSize })
      : zlib.zstdCompressSync(bytes, {
          chunkSize,
          params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL },
          // Puts the chunk's size in the frame header, where rawLength reads it.
          pledgedSrcSize: bytes.length,
        });
  // The result is usually a view of that one buffer, handed on whole (a transfer moves it, and
  // the pages past the end were never touched). Only a small result may share Buffer's pool,
  // whose memory cannot be transferred: that one is copied.
  return out.buffer.byteLength > Buffer.poolSize ? out : new Uint8Array(out);
}

const ZSTD_MAGIC = 0xfd2fb528;

/**
 * The uncompressed length of a chunk {@link compressChunk} made, read from its own header or
 * trailer, so a worker need not send it beside the bytes.
 */
export function rawLength(chunk: Uint8Array, compression: Compression): number {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  // A gzip member ends with its input's length mod 2^32; a chunk is far below that.
  if (compression === 'gzip') return view.getUint32(chunk.length - 4, true);
  if (compression === 'zstd') return zstdContentSize(view);
  return chunk.length;
}

// RFC 8878 3.1.1.1: magic, the frame header descriptor, an optional window descriptor and
// dictionary id, then the frame content size in 0, 1, 2 (+256), 4 or 8 bytes.
function zstdContentSize(view: DataView): number {
  if (view.getUint32(0, true) !== ZSTD_MAGIC) throw new Error('not a zstd frame');
  const descriptor = view.getUint8(4);
  const sizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3] as number;
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes;
  const sizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag;
  if (sizeBytes === 0) throw new Error('the zstd frame does not record its content size');
  if (sizeBytes === 1) return view.getUint8(at);
  if (sizeBytes === 2) return view.getUint16(at, true) + 256;
  if (sizeBytes === 4) return view.getUint32(at, true);
  return Number(view.getBigUint64(at, true));
}
