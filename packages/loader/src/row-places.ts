import type { SourceRecord } from './input.js';

const INITIAL_ROWS = 256;

/**
 * Where each row of a batch came from — its offset, end and line number — in typed arrays, not
 * as an object a row: a batch waiting for the server then holds a few objects whatever its size
 * (the same reason its rows are held encoded). A record that carries its text or a parsed value
 * (a stream's line that went the ordinary way, a JSON array's element) is kept whole.
 */
export class RowPlaces {
  #offsets = new Float64Array(INITIAL_ROWS);
  #ends = new Float64Array(INITIAL_ROWS);
  #lines = new Float64Array(INITIAL_ROWS);
  #n = 0;
  /** Records kept whole, by row (only rows that need more than their place). */
  #kept: Map<number, SourceRecord> | undefined;

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
  }

  #place(offset: number, end: number, line: number): number {
    if (this.#n === this.#offsets.length) this.#grow();
    const i = this.#n++;
    this.#offsets[i] = offset;
    this.#ends[i] = end;
    this.#lines[i] = line;
    return i;
  }

  /** A row by its place alone. */
  add(offset: number, end: number, line: number): void {
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

  /** Row `i`'s record: the one kept whole, else a new one of its place. */
  record(i: number): SourceRecord {
    const kept = this.#kept?.get(i);
    if (kept) return kept;
    return {
      offset: this.#offsets[i] as number,
      end: this.#ends[i] as number,
      line: this.#lines[i] as number,
      text: undefined,
    };
  }
}
