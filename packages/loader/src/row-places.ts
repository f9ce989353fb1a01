import type { SourceRecord } from './input.js';

const INITIAL_ROWS = 256;

/**
 * Where each row of a batch came from — its offset, end and line number — in typed arrays, not
 * as an object a row: a batch waiting for the server then holds a few objects whatever its size
 * (the same reason its rows are held encoded). A row whose text cannot be read again from the
 * file (standard input, a compressed file) keeps its line's bytes here too, copied into one
 * buffer; a record that carries a parsed value (a JSON array's element) is kept whole.
 */
export class RowPlaces {
  #offsets = new Float64Array(INITIAL_ROWS);
  #ends = new Float64Array(INITIAL_ROWS);
  #lines = new Float64Array(INITIAL_ROWS);
  #n = 0;
  /** Records kept whole, by row (only rows that need more than their place). */
  #kept: Map<number, SourceRecord> | undefined;
  /** Line bytes of rows read from a stream, one after another; `#textEnds[i]` ends row i's. */
  #text: Buffer | undefined;
  #textEnds: Float64Array | undefined;
  #textUsed = 0;

  /** Rows held. */
  get length(): number {
    return this.#n;
  }

  #grow(): void {
    const cap = this.#offsets.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.#offsets = grow(this.#offsets);
    this.#ends = grow(this.#ends);
    this.#lines = grow(this.#lines);
    if (this.#textEnds) this.#textEnds = grow(this.#textEnds);
  }

  #place(offset: number, end: number, line: number): number {
    if (this.#n === this.#offsets.length) this.#grow();
    const i = this.#n++;
    this.#offsets[i] = offset;
    this.#ends[i] = end;
    this.#lines[i] = line;
    if (this.#textEnds) this.#textEnds[i] = this.#textUsed;
    return i;
  }

  /** A row by its place alone (its text can be read again from the file). */
  add(offset: number, end: number, line: number): void {
    this.#place(offset, end, line);
  }

  /** A row with its line's bytes `buf[start, stop)`, kept for a reject (input that cannot be read again). */
  addWithText(offset: number, end: number, line: number, buf: Buffer, start: number, stop: number): void {
    if (!this.#textEnds) {
      this.#textEnds = new Float64Array(this.#offsets.length);
      this.#textEnds.fill(this.#textUsed, 0, this.#n);
      this.#text = Buffer.allocUnsafe(64 * 1024);
    }
    const bytes = stop - start;
    let text = this.#text as Buffer;
    if (this.#textUsed + bytes > text.length) {
      const grown = Buffer.allocUnsafe(Math.max(text.length * 2, this.#textUsed + bytes));
      text.copy(grown, 0, 0, this.#textUsed);
      this.#text = text = grown;
    }
    this.#textUsed += buf.copy(text, this.#textUsed, start, stop);
    this.#place(offset, end, line);
  }

  /** A row as its record: kept whole when it carries its text or value. */
  addRecord(rec: SourceRecord): void {
    const i = this.#place(rec.offset, rec.end, rec.line);
    if (rec.text === undefined && rec.value === undefined) return;
    this.#kept ??= new Map();
    this.#kept.set(i, rec);
  }

  /** Just past row `i`'s record in the input. */
  end(i: number): number {
    return this.#ends[i] as number;
  }

  /** Row `i`'s record, with its text when it was kept. */
  record(i: number): SourceRecord {
    const kept = this.#kept?.get(i);
    if (kept) return kept;
    const rec: SourceRecord = {
      offset: this.#offsets[i] as number,
      end: this.#ends[i] as number,
      line: this.#lines[i] as number,
      text: undefined,
    };
    if (this.#textEnds && this.#text) {
      const start = i === 0 ? 0 : (this.#textEnds[i - 1] as number);
      const stop = this.#textEnds[i] as number;
      if (stop > start) rec.text = this.#text.toString('utf8', start, stop);
    }
    return rec;
  }
}
