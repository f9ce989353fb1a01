import { constants, writeSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { DatagenError } from './errors.js';

// Direct I/O moves whole blocks at block offsets from block-aligned memory. 4096 is a multiple
// of every common logical block size; a device with larger blocks fails the probe below.
const BLOCK = 4096;
// Bytes staged per write: a few chunks, so the disk sees large writes and few of them.
const STAGE = 8 * 1024 * 1024;
// Staging buffers: while one is filled, the others' writes queue at the device, so a write that
// stalls for 100 ms (seen here on a shared disk) does not stall the copy, nor the workers behind it.
const SLOTS = 4;

/**
 * Opens `path` (a file just created) a second time with `O_DIRECT`, for {@link DirectFileStream}.
 * Undefined where direct I/O cannot be used: no `O_DIRECT` on this platform, a file system that
 * refuses it, or memory and offsets it will not take; the caller then writes through the page cache.
 * `stage` (bytes per write, a multiple of 4096) is smaller only in tests, to cross many seams.
 */
export async function openDirect(path: string, stage = STAGE): Promise<DirectFileStream | undefined> {
  if (stage <= 0 || stage % BLOCK !== 0) throw new RangeError(`stage must be a positive multiple of ${BLOCK}`);
  const direct = constants.O_DIRECT;
  if (direct === undefined) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_WRONLY | direct);
  } catch {
    return undefined;
  }
  const memory = new Uint8Array(SLOTS * stage + BLOCK);
  const start = alignedOffset(handle.fd, memory);
  if (start === undefined) {
    await handle.close();
    return undefined;
  }
  const slots = Array.from({ length: SLOTS }, (_, k) => memory.subarray(start + k * stage, start + (k + 1) * stage));
  return new DirectFileStream(handle, slots);
}

// JavaScript cannot see an address, so ask the kernel: the first offset into `memory` from which
// it accepts a block at file offset 0 is aligned as it requires (a refusal is EINVAL, at once).
// The probe's block is overwritten by the data, or cut off at the end when there is less.
function alignedOffset(fd: number, memory: Uint8Array): number | undefined {
  for (let offset = 0; offset < BLOCK; offset += 8) {
    try {
      writeSync(fd, memory, offset, BLOCK, 0);
      return offset;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') return undefined;
    }
  }
  return undefined;
}

/**
 * Writes a file with direct I/O: chunks are copied into block-aligned memory and written in large
 * blocks straight to the device, bypassing the page cache. Generation writes each byte once and
 * never reads it back, so caching it only costs: the kernel's copy into fresh page-cache pages
 * took as much CPU as a rendering thread on the machine we measure on (see the README), and a
 * `sync` afterwards still had to write it all. Here the disk writes while the workers render.
 * The same bytes land in the file; the handle is closed by whoever opened the target.
 */
export class DirectFileStream extends Writable {
  private readonly handle: FileHandle;
  private readonly slots: Uint8Array[];
  // Each slot's last write, which must end before the slot is filled again.
  private readonly writes: Promise<void>[];
  private readonly stage: number;
  private slot = 0;
  private filled = 0;
  private position = 0;

  constructor(handle: FileHandle, slots: Uint8Array[]) {
    super();
    this.handle = handle;
    this.slots = slots;
    this.stage = (slots[0] as Uint8Array).length;
    this.writes = slots.map(() => Promise.resolve());
  }

  /** Closes the file, once any write still running has ended. */
  closeFile(): Promise<void> {
    const close = () => this.handle.close();
    return Promise.allSettled(this.writes).then(close);
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A write still running would otherwise outlive the stream; its failure is the run's already.
    Promise.allSettled(this.writes).then(() => callback(error));
  }

  private async take(chunk: Uint8Array): Promise<void> {
    for (let at = 0; at < chunk.length; ) {
      const n = Math.min(this.stage - this.filled, chunk.length - at);
      (this.slots[this.slot] as Uint8Array).set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.stage) await this.flush(this.stage);
    }
  }

  /** Starts writing the current slot's first `length` bytes (whole blocks), and waits for the next slot to be free. */
  private async flush(length: number): Promise<void> {
    const write = this.writeAll(this.slots[this.slot] as Uint8Array, length, this.position);
    // Awaited when the slot comes round again or at the end; a failure meanwhile must not go unhandled.
    write.catch(() => {});
    this.writes[this.slot] = write;
    this.position += length;
    this.filled = 0;
    this.slot = (this.slot + 1) % this.slots.length;
    await this.writes[this.slot];
  }

  private async writeAll(bytes: Uint8Array, length: number, position: number): Promise<void> {
    // A short write ends at a block boundary, so the rest stays aligned.
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await this.handle.write(bytes, done, length - done, position + done);
      if (bytesWritten === 0) throw new DatagenError('WRITE_FAILED', 'the file system took no bytes of a direct write');
      done += bytesWritten;
    }
  }

  private async finish(): Promise<void> {
    const size = this.position + this.filled;
    // The last bytes go out as whole blocks, zero-padded, and the file is cut back to its size.
    const padded = Math.ceil(this.filled / BLOCK) * BLOCK;
    (this.slots[this.slot] as Uint8Array).fill(0, this.filled, padded);
    await this.flush(padded);
    await Promise.all(this.writes);
    await this.handle.truncate(size);
  }
}
