import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressChunk, compressionFromPath, rawLength, withoutCompressionSuffix } from './compression.js';

describe('compression', () => {
  it.each([
    ['users.ndjson.gz', 'gzip', 'users.ndjson'],
    ['USERS.CSV.GZ', 'gzip', 'USERS.CSV'],
    ['users.json.zst', 'zstd', 'users.json'],
    ['users.ndjson', 'none', 'users.ndjson'],
    ['users.zstd', 'none', 'users.zstd'],
  ])('%s is %s, of a %s', (path, compression, plain) => {
    expect(compressionFromPath(path)).toBe(compression);
    expect(withoutCompressionSuffix(path)).toBe(plain);
  });

  // Sizes that take each width of zstd's content-size field: 1 byte (single segment), 2 (+256), 4.
  it.each([0, 1, 200, 255, 256, 300, 65_791, 65_792, 3_000_000])(
    'a chunk of %i bytes compresses to one gzip member and one zstd frame that record its length',
    (size) => {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7919) % 251;
      const gz = compressChunk(bytes, 'gzip');
      const zst = compressChunk(bytes, 'zstd');
      expect(gunzipSync(gz).equals(bytes)).toBe(true);
      expect(zstdDecompressSync(zst).equals(bytes)).toBe(true);
      expect(rawLength(gz, 'gzip')).toBe(size);
      expect(rawLength(zst, 'zstd')).toBe(size);
      expect(rawLength(bytes, 'none')).toBe(size);
      // Never in Buffer's pool, so a worker can transfer it.
      for (const chunk of [gz, zst])
        expect(() => structuredClone(chunk, { transfer: [chunk.buffer as ArrayBuffer] })).not.toThrow();
    },
  );

  it('refuses to read a length from what is not a zstd frame', () => {
    expect(() => rawLength(new Uint8Array(16), 'zstd')).toThrow('not a zstd frame');
  });
});
