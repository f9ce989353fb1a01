import { constants, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { openFlags } from '../test/open-flags.js';
import { type DirectFileStream, type DirectPlan, openDirect } from './direct-file.js';
import { mulberry32 } from './random.js';

const dir = makeTempDir('datagen-direct');
afterAll(() => dir.cleanup());

// A small stage so that a few hundred kilobytes cross every seam: chunk within a stage, chunk
// across two, the ring of stages wrapping round, a tail shorter than a block.
const STAGE = 8192;

async function opened(
  name: string,
  skip: (why: string) => void,
  plan: DirectPlan = {},
): Promise<[string, DirectFileStream]> {
  const path = dir.join(name);
  writeFileSync(path, '');
  const stream = await openDirect(path, { stage: STAGE, ...plan });
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
  const TOTALS = [0, 1, 4095, 4096, 4097, STAGE, 4 * STAGE, 4 * STAGE + 1, 301_017];
  // Direct from the first byte; after 3 blocks through the page cache; and each of those giving
  // up direct I/O at the first wait for the device (a patience below zero), four stages in.
  const PLANS: [string, DirectPlan][] = [
    ['direct', {}],
    ['cached first', { after: 3 * 4096 }],
    ['direct, then cached', { patienceMs: -1 }],
    ['cached, direct, cached', { after: 3 * 4096, patienceMs: -1 }],
  ];
  const CASES = PLANS.flatMap(([name, plan]) => TOTALS.map((total) => [name, total, plan] as const));

  it.for(CASES)(
    'writes exactly the bytes it is given (%s, %i bytes, in pieces of any size)',
    async ([name, total, plan], { skip }) => {
      const [path, stream] = await opened(`exact-${name.replaceAll(/\W+/g, '-')}-${total}.bin`, skip, plan);
      const parts = pieces(total, total + 1);
      try {
        await pipeline(Readable.from(parts), stream);
      } finally {
        await stream.closeFile();
      }
      expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
      const { directBytes, cachedBytes } = stream.stats;
      expect(directBytes + cachedBytes).toBe(total);
    },
  );

  it('writes the first bytes through the page cache, the rest direct, when asked to start later', async ({ skip }) => {
    const total = 10 * STAGE + 123;
    const [, stream] = await opened('later.bin', skip, { after: 2 * STAGE - 5 });
    try {
      await pipeline(Readable.from(pieces(total, 9)), stream);
    } finally {
      await stream.closeFile();
    }
    // Rounded up to a whole block.
    expect(stream.stats).toMatchObject({ cachedBytes: 2 * STAGE, directBytes: total - 2 * STAGE });
    expect(stream.stats.ended).toBeUndefined();
  });

  it('goes back to the page cache for the rest of the file once the device has kept it waiting too long', async ({
    skip,
  }) => {
    const total = 10 * STAGE + 123;
    const [path, stream] = await opened('impatient.bin', skip, { patienceMs: -1 });
    const parts = pieces(total, 11);
    try {
      await pipeline(Readable.from(parts), stream);
    } finally {
      await stream.closeFile();
    }
    // The first wait comes when the ring of four stages has gone round: after the fourth write,
    // the first stage must be free again.
    expect(stream.stats).toMatchObject({ ended: 'slow', directBytes: 4 * STAGE, cachedBytes: total - 4 * STAGE });
    expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
  });

  it('never opens the file for direct I/O when it ends before direct I/O would start', async ({ skip }) => {
    const [path, stream] = await opened('small.bin', skip, { after: 64 * 1024 });
    try {
      await pipeline(Readable.from(pieces(10_000, 5)), stream);
      expect(openFlags(path).some((f) => (f & (constants.O_DIRECT as number)) !== 0)).toBe(false);
    } finally {
      await stream.closeFile();
    }
    expect(stream.stats).toEqual({ directBytes: 0, cachedBytes: 10_000, waitedMs: 0 });
  });

  it('writes with O_DIRECT, bypassing the page cache', async ({ skip }) => {
    const [path, stream] = await opened('flags.bin', skip);
    try {
      // Two descriptors: one direct, one for what goes through the page cache.
      const flags = openFlags(path);
      expect(flags).toHaveLength(2);
      expect(flags.filter((f) => (f & (constants.O_DIRECT as number)) !== 0)).toHaveLength(1);
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
    await expect(openDirect(dir.join('odd.bin'), { stage: 1000 })).rejects.toThrow(RangeError);
  });
});
