// A piscina worker: renders one chunk and hands its bytes back without a copy.
import { gzipSync } from 'node:zlib';
import { move } from 'piscina';
import type { Format } from './format.js';
import { type Locale, loadLocale } from './locales.js';
import { UserGenerator } from './records.js';

/** One chunk to render: ids `[start, end)`. */
export interface ChunkTask {
  locale: Locale;
  seed: number;
  start: number;
  end: number;
  format: Format;
  /** Framing written before the records: the file's head for the first chunk, else the separator. */
  prefix: string;
  /** Framing written after the records: the file's tail for the last chunk. */
  suffix: string;
  /** Compress the chunk as one gzip member; concatenated members are one valid gzip file. */
  gzip: boolean;
}

const generators = new Map<string, UserGenerator>();

export default async function renderChunk(task: ChunkTask): Promise<Uint8Array> {
  const key = `${task.locale}:${task.seed}`;
  let generator = generators.get(key);
  if (!generator) {
    generator = new UserGenerator(await loadLocale(task.locale), task.seed);
    generators.set(key, generator);
  }
  let bytes: Uint8Array = generator.render(task.start, task.end, task.format, task.prefix, task.suffix);
  // Compressing here spreads gzip over the workers; one stream on the main thread was the bottleneck.
  // zlib's result may share a pooled, untransferable ArrayBuffer: copy it (it is small) into its own.
  if (task.gzip) bytes = new Uint8Array(gzipSync(bytes));
  // The buffer is transferred, not cloned.
  return move(bytes) as Uint8Array;
}
