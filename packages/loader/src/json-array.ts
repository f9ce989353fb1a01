import { isUtf8 } from 'node:buffer';
import { InputError } from './errors.js';
import { MAX_DEPTH } from './json-shape.js';
import { bomLength, preview, previewBytes, tooLongReason } from './line-split.js';

/** One element of a JSON array, cut out of the bytes but not parsed. */
export interface RawElement {
  /** 0-based position in the array. */
  index: number;
  /** Its text (only the start when it is over the size bound; empty for a missing element). */
  text: string;
  /** Why it cannot be a record whatever its content (too long, too deep, not UTF-8, damaged array). */
  problem: string | undefined;
}

const START = 0;
const ARRAY = 1;
const AFTER = 2;
const DONE = 3;

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * Cuts a JSON array's bytes into its top-level elements, one chunk at a time, so that each
 * element is parsed (and refused) on its own: a broken element is one reject and its
 * neighbours still load. Only strings and bracket depth are tracked (a counter, no recursion);
 * a comma or `]` at depth 0 ends an element. Damage to the array itself (a missing `]`, text
 * after it) comes back as one element with a problem, after every element before it.
 */
export class JsonArraySplitter {
  #state = START;
  #atStart = true;
  #carry: Buffer | undefined;
  /** Where scanning continues in the next buffer (the carry was scanned already). */
  #scan = 0;
  /** Start of the element in progress in the current buffer; -1 between elements. */
  #start = -1;
  #depth = 0;
  #tooDeep = false;
  #inString = false;
  #escape = false;
  /** The last separator was a comma, so an element must follow. */
  #comma = false;
  #index = 0;
  /** An element over the bound, being scanned to its end without keeping its bytes. */
  #skipping: { text: string; bytes: number } | undefined;

  constructor(
    /** Where the array comes from, for messages. */
    readonly where: string,
    readonly maxBytes: number,
    /** Elements before this index are scanned but not returned (a resume). */
    readonly from: number,
  ) {}

  /** Text after the closing `]` was found: nothing more will be read. */
  get done(): boolean {
    return this.#state === DONE;
  }

  /** The elements `chunk` completes. */
  push(chunk: Buffer): RawElement[] {
    const buf = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = undefined;
    let i = this.#scan;
    this.#scan = 0;
    if (this.#atStart) {
      const skip = bomLength(buf);
      if (skip === undefined) {
        this.#carry = Buffer.from(buf);
        return [];
      }
      this.#atStart = false;
      if (skip > 0) i = skip;
    }
    const out: RawElement[] = [];
    this.#run(buf, i, out);
    if (this.#state !== ARRAY || this.#start < 0) return out;
    const held = buf.length - this.#start;
    if (this.#skipping) this.#skipping.bytes += buf.length;
    else if (held > this.maxBytes)
      this.#skipping = { text: preview(buf, this.#start, buf.length, previewBytes(this.maxBytes)), bytes: held };
    else {
      this.#carry = Buffer.from(buf.subarray(this.#start));
      this.#scan = held;
    }
    this.#start = 0;
    return out;
  }

  /** What is left when the input ends: a missing `]` is one element with a problem. */
  end(): RawElement[] {
    const out: RawElement[] = [];
    if (this.#state !== ARRAY) return out;
    const buf = this.#carry ?? Buffer.alloc(0);
    this.#carry = undefined;
    if (this.#start < 0) {
      this.#missing(out, "the input ends before the array's closing ]");
      return out;
    }
    this.#emit(buf, buf.length, out);
    const last = out.at(-1);
    if (last && last.index === this.#index - 1) {
      last.problem ??= "truncated: the input ends inside this element, before the array's closing ]";
    }
    return out;
  }

  #run(buf: Buffer, from: number, out: RawElement[]): void {
    const n = buf.length;
    let backslash = buf.indexOf(0x5c, from);
    let i = from;
    while (i < n) {
      if (this.#inString) {
        // Jump from quote to quote: strings are most of a record's bytes.
        if (this.#escape) {
          this.#escape = false;
          i++;
          continue;
        }
        if (backslash >= 0 && backslash < i) backslash = buf.indexOf(0x5c, i);
        const quote = buf.indexOf(0x22, i);
        if (backslash >= 0 && (quote < 0 || backslash < quote)) {
          this.#escape = true;
          i = backslash + 1;
        } else if (quote < 0) {
          i = n;
        } else {
          this.#inString = false;
          i = quote + 1;
        }
        continue;
      }
      const c = buf[i] as number;
      if (this.#state === ARRAY) this.#arrayByte(buf, i, c, out);
      else if (isSpace(c)) {
        // Before the array or after it: only white space may be here.
      } else if (this.#state === START) {
        if (c !== 0x5b) {
          throw new InputError(
            `${this.where}: not a JSON array: it starts with ${JSON.stringify(preview(buf, i, Math.min(n, i + 40)))}`,
            'a .json input must be one top-level array of user objects; use NDJSON for one object a line',
          );
        }
        this.#state = ARRAY;
      } else {
        out.push({ index: this.#index++, text: preview(buf, i, n), problem: 'text after the end of the JSON array' });
        this.#state = DONE;
        return;
      }
      i++;
    }
  }

  /** One byte inside the array, outside strings. */
  #arrayByte(buf: Buffer, i: number, c: number, out: RawElement[]): void {
    if (c === 0x2c && this.#depth === 0) {
      if (this.#start >= 0) this.#emit(buf, i, out);
      else this.#missing(out, 'an empty element (two commas, or a comma right after [)');
      this.#comma = true;
      return;
    }
    if (c === 0x5d && this.#depth === 0) {
      if (this.#start >= 0) this.#emit(buf, i, out);
      else if (this.#comma) this.#missing(out, 'an empty element (a comma right before ])');
      this.#state = AFTER;
      return;
    }
    if (isSpace(c)) return;
    if (this.#start < 0) {
      this.#start = i;
      this.#comma = false;
    }
    if (c === 0x22) this.#inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++this.#depth > MAX_DEPTH) this.#tooDeep = true;
    } else if ((c === 0x7d || c === 0x5d) && this.#depth > 0) this.#depth--;
  }

  #missing(out: RawElement[], problem: string): void {
    const index = this.#index++;
    if (index >= this.from) out.push({ index, text: '', problem });
  }

  #emit(buf: Buffer, end: number, out: RawElement[]): void {
    const start = this.#start;
    const skipping = this.#skipping;
    const tooDeep = this.#tooDeep;
    const index = this.#index++;
    this.#start = -1;
    this.#skipping = undefined;
    this.#tooDeep = false;
    this.#depth = 0;
    this.#inString = false;
    this.#escape = false;
    if (index < this.from) return;
    let e = end;
    while (e > start && isSpace(buf[e - 1])) e--;
    let problem: string | undefined;
    let text: string;
    if (skipping) {
      text = skipping.text;
      problem = tooLongReason(skipping.bytes + e, this.maxBytes);
    } else if (e - start > this.maxBytes) {
      text = preview(buf, start, e, previewBytes(this.maxBytes));
      problem = tooLongReason(e - start, this.maxBytes);
    } else {
      text = buf.toString('utf8', start, e);
      if (tooDeep) problem = `nested deeper than ${MAX_DEPTH} levels`;
      else if (!isUtf8(buf.subarray(start, e))) problem = 'not valid UTF-8';
    }
    out.push({ index, text, problem });
  }
}
