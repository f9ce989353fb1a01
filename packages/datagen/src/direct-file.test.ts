import { constants, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { openFlags } from '../test/open-flags.js';
import { type DirectFileStream, openDirect } from './direct-file.js';
import { mulberry32 } from './random.js';

const dir = makeTempDir('datagen-direct');
afterAll(() => dir.cleanup());

// A small stage so that a few hundred kilobytes cross every seam: chunk within a stage, chunk
// across two, the ring of stages wrapping round, a tail shorter than a block.
const STAGE = 8192;

async function opened(name: string, skip: (why: string) => void): Promise<[string, DirectFileStream]> {
  const path = dir.join(name);
  writeFileSync(path, '');
  const stream = await openDirect(path, STAGE);
  if (!stream) skip(`the file system under ${dir.path} refuses O_DIRECT`);
  return [path, stream as DirectFileStream];
}

function pieces(total: number, seed: number): Uint8Array[] {
  const random = mulberry32(seed);
  const out: Uint8Array[] = [];
  for (let left = total; left > 0; ) {
    const n = Math.min(left, 1 + Math.floor(random() * 3 * STAGE));
    out.push(Uint8Array.from({ length: n }, () => Math.floor(random() * 256)));
    left -= n;
  }
  return out;
}

describe('DirectFileStream', () => {
  it.for([0, 1, 4095, 4096, 4097, STAGE, 4 * STAGE, 4 * STAGE + 1, 301_017])(
    'writes exactly the bytes it is given (%i bytes, in pieces of any size)',
    async (total, { skip }) => {
      const [path, stream] = await opened(`exact-${total}.bin`, skip);
      const parts = pieces(total, total + 1);
      try {
        await pipeline(Readable.from(parts), stream);
      } finally {
        await stream.closeFile();
      }
      expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
    },
  );

  it('writes with O_DIRECT, bypassing the page cache', async ({ skip }) => {
    const [path, stream] = await opened('flags.bin', skip);
    try {
      const flags = openFlags(path);
      expect(flags).toHaveLength(1);
      expect((flags[0] as number) & (constants.O_DIRECT as number)).not.toBe(0);
    } finally {
      stream.destroy();
      await stream.closeFile();
    }
  });

  it('fails the stream when a write fails, whether it is waited for at once or later', async ({ skip }) => {
    const [, stream] = await opened('fails.bin', skip);
    // The file closed under it: every write fails with EBADF.
    await stream.closeFile();
    await expect(pipeline(Readable.from(pieces(5 * STAGE, 3)), stream)).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('refuses a stage that is not whole blocks', async () => {
    await expect(openDirect(dir.join('odd.bin'), 1000)).rejects.toThrow(RangeError);
  });
});
