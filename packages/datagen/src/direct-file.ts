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

/** When a {@link DirectFileStream} writes direct, and when it gives up on it. */
export interface DirectPlan {
  /**
   * Bytes written through the page cache before direct I/O starts (rounded up to whole blocks):
   * a small file is done before a busy disk could keep it waiting. @default 0
   */
  after?: number;
  /**
   * Milliseconds the writer may wait, in all, for the device to finish direct writes before the
   * rest of the file goes through the page cache. @default Infinity (never)
   */
  patienceMs?: number;
  /** Bytes per direct write, a multiple of 4096 (smaller only in tests, to cross many seams). */
  stage?: number;
}

/** How a {@link DirectFileStream} has written its file. */
export interface DirectFileStats {
  /** Bytes written with direct I/O. */
  directBytes: number;
  /** Bytes written through the page cache: before direct I/O started, or after it ended. */
  cachedBytes: number;
  /**
   * Why direct I/O ended before the file did: `refused` (the platform or file system does not
   * take it), `slow` (the device kept the writer waiting longer than the patience); undefined
   * while it has not.
   */
  ended?: 'refused' | 'slow';
  /** Milliseconds the writer waited for direct writes to end before it could go on. */
  waitedMs: number;
}

/**
 * Opens `path` (a file just created, empty) to be written by a {@link DirectFileStream}: direct
 * from the first byte, or from `plan.after`. Undefined when direct I/O is to start at once and
 * cannot be used here (no `O_DIRECT` on this platform, a file system that refuses it, memory and
 * offsets it will not take): the caller then writes through the page cache.
 */
export async function openDirect(path: string, plan: DirectPlan = {}): Promise<DirectFileStream | undefined> {
  const stage = plan.stage ?? STAGE;
  if (stage <= 0 || stage % BLOCK !== 0) throw new RangeError(`stage must be a positive multiple of ${BLOCK}`);
  const after = Math.ceil(Math.max(0, plan.after ?? 0) / BLOCK) * BLOCK;
  const cached = await open(path, constants.O_WRONLY);
  const stream = new DirectFileStream(path, cached, stage, after, plan.patienceMs ?? Number.POSITIVE_INFINITY);
  if (after === 0 && !(await stream.startDirect())) {
    await cached.close();
    return undefined;
  }
  return stream;
}

// JavaScript cannot see an address, so ask the kernel: the first offset into `memory` from which
// it accepts a block at file offset `at` is aligned as it requires (a refusal is EINVAL, at
// once). `at` is where the first direct write goes: the probe's block is overwritten by the
// data, or cut off at the end when there is less.
function alignedOffset(fd: number, memory: Uint8Array, at: number): number | undefined {
  for (let offset = 0; offset < BLOCK; offset += 8) {
    try {
      writeSync(fd, memory, offset, BLOCK, at);
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
 * took as much CPU as a rendering thread on the machines we measure on (see the README), and a
 * `sync` afterwards still had to write it all. Here the disk writes while the workers render.
 *
 * The first `after` bytes go through the page cache, and so does the rest of the file once the
 * writer has waited `patienceMs` in all for the device: a disk that takes direct writes slowly
 * (four times slower than through the page cache on one machine we measured) then costs little
 * more than the page cache. The same bytes land in the file either way; the handles are closed
 * by whoever opened the target ({@link closeFile}).
 */
export class DirectFileStream extends Writable {
  private readonly path: string;
  private readonly cached: FileHandle;
  private handle: FileHandle | undefined;
  private slots: Uint8Array[] = [];
  // Each slot's last write, which must end before the slot is filled again; undefined until used.
  private writes: (Promise<void> | undefined)[] = [];
  private readonly stage: number;
  private readonly after: number;
  private readonly patienceMs: number;
  private slot = 0;
  private filled = 0;
  // Where the next byte goes; while writing direct, where the current slot's first byte goes.
  private position = 0;
  private direct = false;
  private readonly counts: DirectFileStats = { directBytes: 0, cachedBytes: 0, waitedMs: 0 };

  constructor(path: string, cached: FileHandle, stage: number, after: number, patienceMs: number) {
    super();
    this.path = path;
    this.cached = cached;
    this.stage = stage;
    this.after = after;
    this.patienceMs = patienceMs;
  }

  /** How the file has been written so far. */
  get stats(): DirectFileStats {
    return { ...this.counts };
  }

  /** Closes the file, once any write still running has ended. */
  async closeFile(): Promise<void> {
    await Promise.allSettled(this.writes);
    await Promise.all([this.cached.close(), this.handle?.close()]);
  }

  /** Opens the file for direct I/O at the current position; false (and stays cached) where it is refused. */
  async startDirect(): Promise<boolean> {
    const flag = constants.O_DIRECT;
    const handle =
      flag === undefined ? undefined : await open(this.path, constants.O_WRONLY | flag).catch(() => undefined);
    const memory = new Uint8Array(SLOTS * this.stage + BLOCK);
    const start = handle && alignedOffset(handle.fd, memory, this.position);
    if (!handle || start === undefined) {
      await handle?.close();
      this.counts.ended = 'refused';
      return false;
    }
    this.handle = handle;
    this.slots = Array.from({ length: SLOTS }, (_, k) =>
      memory.subarray(start + k * this.stage, start + (k + 1) * this.stage),
    );
    this.writes = this.slots.map(() => undefined);
    this.direct = true;
    return true;
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
    let at = 0;
    if (!this.direct) {
      // Through the page cache: all of it, or up to where direct I/O starts (a block boundary).
      const before = this.counts.ended ? chunk.length : Math.min(chunk.length, this.after - this.position);
      await this.writeCached(chunk.subarray(0, before));
      at = before;
      if (at === chunk.length || !(await this.startDirect())) return this.writeCached(chunk.subarray(at));
    }
    while (at < chunk.length) {
      const n = Math.min(this.stage - this.filled, chunk.length - at);
      (this.slots[this.slot] as Uint8Array).set(chunk.subarray(at, at + n), this.filled);
      this.filled += n;
      at += n;
      if (this.filled === this.stage) await this.flush(this.stage);
      if (!this.direct) return this.writeCached(chunk.subarray(at));
    }
  }

  /**
   * Starts writing the current slot's first `length` bytes (whole blocks) and waits for the next
   * slot to be free; ends direct I/O once the waits have outlasted the patience.
   */
  private async flush(length: number): Promise<void> {
    const write = this.writeDirect(this.slots[this.slot] as Uint8Array, length, this.position);
    // Awaited when the slot comes round again or at the end; a failure meanwhile must not go unhandled.
    write.catch(() => {});
    this.writes[this.slot] = write;
    this.position += length;
    this.counts.directBytes += length;
    this.filled = 0;
    this.slot = (this.slot + 1) % this.slots.length;
    const busy = this.writes[this.slot];
    if (!busy) return;
    const started = performance.now();
    await busy;
    this.counts.waitedMs += performance.now() - started;
    if (this.counts.waitedMs > this.patienceMs) {
      // Every direct write ends before a cached one starts: the two never cover the same bytes.
      await Promise.all(this.writes);
      this.direct = false;
      this.counts.ended = 'slow';
    }
  }

  private async writeDirect(bytes: Uint8Array, length: number, position: number): Promise<void> {
    const handle = this.handle as FileHandle;
    // A short write ends at a block boundary, so the rest stays aligned.
    for (let done = 0; done < length; ) {
      const { bytesWritten } = await handle.write(bytes, done, length - done, position + done);
      if (bytesWritten === 0) throw new DatagenError('WRITE_FAILED', 'the file system took no bytes of a direct write');
      done += bytesWritten;
    }
  }

  private async writeCached(bytes: Uint8Array): Promise<void> {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await this.cached.write(bytes, done, bytes.length - done, this.position);
      if (bytesWritten === 0) throw new DatagenError('WRITE_FAILED', 'the file system took no bytes of a write');
      done += bytesWritten;
      this.position += bytesWritten;
      this.counts.cachedBytes += bytesWritten;
    }
  }

  private async finish(): Promise<void> {
    const size = this.position + this.filled;
    if (this.direct && this.filled > 0) {
      // The last bytes go out as whole blocks, zero-padded; the file is cut back to its size below.
      const tail = this.filled;
      const padded = Math.ceil(tail / BLOCK) * BLOCK;
      (this.slots[this.slot] as Uint8Array).fill(0, tail, padded);
      await this.flush(padded);
      this.counts.directBytes -= padded - tail;
    }
    await Promise.all(this.writes);
    // Also cuts off the alignment probe's block where the data ended before it.
    if (this.handle) await this.cached.truncate(size);
  }
}
