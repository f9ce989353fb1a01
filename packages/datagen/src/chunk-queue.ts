import type { Writable } from 'node:stream';
import type { Framing } from './format.js';
import { type ChunkRange, planChunks, type RenderTables } from './records.js';
import type { Renderer } from './renderers.js';

// Chunks handed to the pool and not yet rendered, per worker: the one it renders and the
// one it starts next without waiting for this thread.
const RUNNING_PER_THREAD = 2;
// Chunks not yet written, per worker: a worker that is ahead may render on while an earlier
// chunk is still being rendered by another, and memory stays bounded (~3 MB a chunk).
const BUFFERED_PER_THREAD = 4;

/** What a run renders. */
export interface ChunkPlan {
  /** Ids `[startId, startId + count)`. */
  startId: number;
  count: number;
  /** Threads rendering, which sets how many chunks are in flight. */
  threads: number;
  frame: Framing;
  tables: RenderTables;
  /** Whether chunks are compressed: too small to render into, their memory is freed once written. */
  compressed: boolean;
}

/** What {@link inOrder} tells its caller about each chunk. */
export interface InOrderHooks {
  /** A chunk of `rows` records is about to be handed to the output. */
  chunk(rows: number, bytes: Uint8Array): void;
  /** The output has taken that chunk (it asked for the next one). */
  taken(): void;
}

interface Pending {
  range: ChunkRange;
  bytes: Promise<Uint8Array>;
}

/**
 * Keeps a renderer busy with the chunks after the one being written, within the in-flight
 * bounds, and hands the memory of chunks the output has flushed back to be rendered into.
 */
class ChunkQueue {
  private readonly ranges: Iterator<ChunkRange>;
  private readonly lastEnd: number;
  private readonly queue: Pending[] = [];
  // Chunks handed to the stream, oldest first, and the memory of those it has written.
  private readonly written: Uint8Array[] = [];
  private readonly spare: ArrayBuffer[] = [];
  private running = 0;
  private stopped = false;

  constructor(
    private readonly plan: ChunkPlan,
    private readonly renderer: Renderer,
    /** The stream whose written chunks may be rendered into again (or freed), when it keeps none of them. */
    private readonly recycleFrom: Writable | undefined,
  ) {
    this.ranges = planChunks(plan.startId, plan.count);
    this.lastEnd = plan.startId + plan.count;
  }

  // Called when a chunk is rendered as well as when one is written: a worker that finishes
  // gets new work at once, not only when the oldest chunk (perhaps another worker's) is done.
  readonly submit = (): void => {
    if (this.recycleFrom) this.reclaim(this.recycleFrom);
    const { threads, startId, frame, tables } = this.plan;
    while (
      !this.stopped &&
      this.running < threads * RUNNING_PER_THREAD &&
      this.queue.length < threads * BUFFERED_PER_THREAD
    ) {
      const next = this.ranges.next();
      if (next.done) return;
      const range = next.value;
      // Framing travels inside the chunks, so with compression every chunk is self-contained.
      const prefix = range.start === startId ? frame.head : frame.between;
      const suffix = range.end === this.lastEnd ? frame.tail : '';
      const bytes = this.renderer.render(tables, range, prefix, suffix, this.spare.pop());
      this.running++;
      // Failures surface when this chunk's turn comes; this only keeps them from going unhandled meanwhile.
      bytes.then(
        () => {
          this.running--;
          this.submit();
        },
        () => {
          this.running--;
        },
      );
      this.queue.push({ range, bytes });
    }
  };

  /** The oldest chunk not yet handed out. */
  next(): Pending | undefined {
    return this.queue.shift();
  }

  /** `bytes` are in the stream now, which counts them in writableLength until they are flushed. */
  handedOver(bytes: Uint8Array): void {
    if (this.recycleFrom) this.written.push(bytes);
  }

  /** No more chunks: the run ended early (an error, an abort) and its pool is about to go. */
  stop(): void {
    this.stopped = true;
  }

  private reclaim(stream: Writable): void {
    // The stream writes in order, and counts what it has not written yet in writableLength
    // (with a chunk above its highWaterMark, the pipeline's wait for 'drain' empties it first).
    let pending = stream.writableLength;
    let keep = this.written.length;
    while (keep > 0 && pending > 0) pending -= (this.written[--keep] as Uint8Array).length;
    for (const done of this.written.splice(0, keep)) {
      // Detaching frees a buffer now. Left to the collector, which this thread's few allocations
      // rarely wake, written chunks piled up to V8's 64 MB external-memory trigger.
      if (this.plan.compressed) (done.buffer as ArrayBuffer).transfer(0);
      else this.spare.push(done.buffer as ArrayBuffer);
    }
  }
}

/**
 * The plan's chunks, rendered ahead on `renderer` and yielded strictly in id order, with
 * backpressure from whoever consumes them. `recycleFrom` is the stream they are written to,
 * when it keeps no chunk after writing it: a written chunk's memory is then rendered into again.
 */
export async function* inOrder(
  plan: ChunkPlan,
  renderer: Renderer,
  recycleFrom: Writable | undefined,
  hooks: InOrderHooks,
): AsyncGenerator<Uint8Array> {
  const chunks = new ChunkQueue(plan, renderer, recycleFrom);
  try {
    chunks.submit();
    for (let item = chunks.next(); item; item = chunks.next()) {
      const bytes = await item.bytes;
      chunks.submit();
      hooks.chunk(item.range.end - item.range.start, bytes);
      yield bytes;
      // Only now, when the pipeline asks for the next chunk, has it written this one to the
      // stream. (A chunk recorded before the yield could be handed back to a worker while it
      // waited to be written.)
      chunks.handedOver(bytes);
      hooks.taken();
    }
  } finally {
    chunks.stop();
  }
}
