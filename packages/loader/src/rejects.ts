import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the reject file. */
export interface RejectRecord {
  /** 1-based line number in the input (NDJSON, CSV); absent for JSON array elements. */
  line?: number;
  /** Byte offset of the line in the (decompressed) input; absent for JSON array elements. */
  offset?: number;
  /** 0-based element index (JSON array input). */
  index?: number;
  /** Which step refused it. */
  stage: 'parse' | 'validate' | 'database';
  /** Why, in words. */
  reason: string;
  /** The server's errno, for rows the database refused. */
  errno?: number;
  /** The input text of the record, as read. */
  raw: string;
}

/**
 * Writes rejects as NDJSON; the file is only created when the first reject comes. A fresh
 * run replaces an earlier run's file (so it describes this run); a resume appends to it.
 */
export class RejectWriter {
  #stream: WriteStream | undefined;
  #count = 0;
  constructor(
    readonly path: string,
    readonly append: boolean,
  ) {
    if (!append) rmSync(path, { force: true });
  }

  get count(): number {
    return this.#count;
  }

  write(record: RejectRecord): void {
    if (!this.#stream) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.#stream = createWriteStream(this.path, { flags: this.append ? 'a' : 'w' });
    }
    this.#count++;
    this.#stream.write(`${JSON.stringify(record)}\n`);
  }

  async close(): Promise<void> {
    const s = this.#stream;
    if (!s) return;
    await new Promise<void>((resolve, reject) => s.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}
