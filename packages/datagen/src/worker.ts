// A piscina worker: renders one chunk and hands its bytes back without a copy.
import { move } from 'piscina';
import { type Compression, compressChunk } from './compression.js';
import { ChunkRenderer, type RenderTables } from './records.js';

/** One chunk to render: ids `[start, end)`. */
export interface ChunkTask {
  /** The run's tables, in shared memory: cloning them into the task copies no bytes. */
  tables: RenderTables;
  /** Names the run, whose renderer this worker keeps between its tasks. */
  run: string;
  seed: number;
  start: number;
  end: number;
  /** Framing written before the records: the file's head for the first chunk, else the separator. */
  prefix: string;
  /** Framing written after the records: the file's tail for the last chunk. */
  suffix: string;
  /**
   * Compress the chunk as one gzip member or zstd frame; concatenated members (frames) are one
   * valid file.
   */
  compression: Compression;
  /** Memory of a chunk already written, transferred back to render this one into. */
  into?: ArrayBuffer | undefined;
}

// Returning a chunk transfers its ArrayBuffer, which detaches it. The first detach in an
// isolate invalidates V8's "no ArrayBuffer was ever detached" assumption and throws away
// every optimized function that relied on it: the whole renderer, compiled again after the
// first chunk. Detaching one here, before anything is optimized, compiles it once.
new ArrayBuffer(0).transfer();

let current: { run: string; renderer: ChunkRenderer } | undefined;
let scratch: ArrayBuffer | undefined;

export default function renderChunk(task: ChunkTask): Uint8Array {
  if (current?.run !== task.run) current = { run: task.run, renderer: new ChunkRenderer(task.tables, task.seed) };
  if (task.compression === 'none') {
    return move(current.renderer.render(task.start, task.end, task.prefix, task.suffix, task.into)) as Uint8Array;
  }
  // A compressed chunk's raw bytes never leave this thread: each is rendered into the memory of
  // the one before. Dead buffers are freed only by a collection, which a thread that allocates
  // as little as this one rarely has: with a new one per chunk (and zlib's run of 16 kB output
  // buffers), 5M users to .zst on 2 threads peaked at 263 MB against 135 MB for plain output.
  const raw = current.renderer.render(task.start, task.end, task.prefix, task.suffix, scratch);
  scratch = raw.buffer as ArrayBuffer;
  // Compressing here spreads it over the workers; one gzip stream on the main thread was the bottleneck.
  const bytes = compressChunk(raw, task.compression);
  // The buffer is transferred, not cloned.
  return move(bytes) as Uint8Array;
}
