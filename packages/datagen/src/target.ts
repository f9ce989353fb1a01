import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { type DirectFileStats, openDirect } from './direct-file.js';
import { DatagenError } from './errors.js';

/** Where a run writes, and how it is kept or thrown away at the end. */
export interface Target {
  stream: Writable;
  /**
   * Whether the stream is ours (a file, a device, stdout): it keeps no chunk after writing it,
   * so a written chunk's memory can be rendered into again. A caller's stream may keep them.
   */
  owned: boolean;
  /** Whether the pipeline ends `stream` (false for stdout and caller streams). */
  end: boolean;
  label: string;
  /** How a file's bytes went to the disk; undefined without direct I/O asked for, or where it was refused at the start. */
  io(): DirectFileStats | undefined;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * `directIo: 'auto'`: the first 64 MiB go through the page cache (a small file never waits for a
 * busy disk), the rest direct until the writer has waited 100 ms in all for the device; then the
 * rest of the file goes through the page cache again. Measured on 2026-11-29, 3M users (920 MB)
 * with `sync`: on this machine's disk the writer waited 0.5–1 ms in all, 1.8–2.2 s against
 * 2.6–3.3 s through the page cache; with direct writes held to 70 MB/s (a cgroup throttle, like
 * the machine where 3M users took 13 s direct), it gave up after 40 MB direct: 3.3–3.7 s against
 * 2.7–3.1 s through the page cache and 13.5 s direct.
 */
export const AUTO_DIRECT = { after: 64 * 1024 * 1024, patienceMs: 100 } as const;

/**
 * Opens `out`: standard output, a caller's stream, or a file written under a temporary name in
 * its directory (a device or FIFO in place), with direct I/O as `options.directIo` says (`auto`:
 * {@link AUTO_DIRECT}). Refuses a directory or an unwritable path.
 */
export async function openTarget(
  out: string | Writable | undefined,
  options: { directIo: boolean | 'auto' },
): Promise<Target> {
  if (out === undefined || out === '-') {
    return {
      stream: process.stdout,
      owned: true,
      end: false,
      label: '-',
      io: () => undefined,
      commit: async () => {},
      discard: async () => {},
    };
  }
  if (typeof out !== 'string') {
    return {
      stream: out,
      owned: false,
      end: false,
      label: '(stream)',
      io: () => undefined,
      commit: async () => {},
      discard: async () => {},
    };
  }
  const path = resolve(out);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new DatagenError('OUTPUT_UNWRITABLE', `out ${out} is a directory`, {
      option: 'out',
      hint: 'pass a file path such as users.ndjson',
    });
  }
  // A device or FIFO (/dev/null, a named pipe) is written in place: renaming a temporary
  // file over it would replace the device itself.
  const inPlace = existing !== undefined && !existing.isFile();
  // Same directory as the final name, so the closing rename is atomic.
  const temp = inPlace
    ? path
    : join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, inPlace ? 'w' : 'wx');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new DatagenError('OUTPUT_UNWRITABLE', `out ${out} cannot be written (${code})`, {
      option: 'out',
      hint: code === 'ENOENT' ? 'create its directory first' : 'pick a path you may write to',
      cause,
    });
  }
  // A new file is written with direct I/O as asked, where the file system takes it (see
  // direct-file.ts); a device or FIFO, or a file system that refuses it, through the page cache.
  const plan = options.directIo === 'auto' ? AUTO_DIRECT : options.directIo ? {} : undefined;
  const direct = inPlace || !plan ? undefined : await openDirect(temp, plan);
  if (direct) await handle.close();
  const stream = direct ?? handle.createWriteStream();
  const close = () => (direct ? direct.closeFile() : handle.close());
  return {
    stream,
    owned: true,
    end: true,
    label: path,
    io: () => direct?.stats,
    commit: async () => {
      await close();
      if (!inPlace) await rename(temp, path);
    },
    discard: async () => {
      await close().catch(() => {});
      if (!inPlace) await unlink(temp).catch(() => {});
    },
  };
}
