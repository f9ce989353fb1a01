// A piscina worker: renders one chunk and hands its bytes back without a copy.
import { gzipSync } from 'node:zlib';
import { move } from 'piscina';
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
  /** Compress the chunk as one gzip member; concatenated members are one valid gzip file. */
  gzip: boolean;
  /** Memory of a chunk already written, transferred back to render this one into. */
  into?: ArrayBuffer | undefined;
}

// Returning a chunk transfers its ArrayBuffer, which detaches it. The first detach in an
// isolate invalidates V8's "no ArrayBuffer was ever detached" assumption and throws away
// every optimized function that relied on it: the whole renderer, compiled again after the
// first chunk. Detaching one here, before anything is optimized, compiles it once.
new ArrayBuffer(0).transfer();

let current: { run: string; renderer: ChunkRenderer } | undefined;

export default function renderChunk(task: ChunkTask): Uint8Array {
  if (current?.run !== task.run) current = { run: task.run, renderer: new ChunkRenderer(task.tables, task.seed) };
  let bytes: Uint8Array = current.renderer.render(task.start, task.end, task.prefix, task.suffix, task.into);
  // Compressing here spreads gzip over the workers; one stream on the main thread was the bottleneck.
  // zlib's result may share a pooled, untransferable ArrayBuffer: copy it (it is small) into its own.
  if (task.gzip) bytes = new Uint8Array(gzipSync(bytes));
  // The buffer is transferred, not cloned.
  return move(bytes) as Uint8Array;
}
