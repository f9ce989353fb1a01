/**
 * Deepest nesting of arrays and objects a record may have. A user record is one flat object;
 * the bound keeps every later step (a reject's JSON.stringify, a validator) clear of the stack limit.
 */
export const MAX_DEPTH = 32;

const DEPTH_REASON = `nested deeper than ${MAX_DEPTH} levels`;

/** Occurrences of `ch` in `s`, counting stops at `limit`. */
function count(s: string, ch: string, limit: number): number {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0 && n < limit; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Why the parsed JSON `value` of `text` must not load, if it must not: nesting deeper than
 * {@link MAX_DEPTH}, or an object with a duplicate key (JSON.parse keeps the last silently).
 *
 * The common case, a flat object, is proved clean without a character loop (measured: a full
 * scan of every record cost more than the JSON.parse before it). An object with k keys holds
 * k members exactly when its text has k - 1 commas outside strings; the text's commas bound
 * that from above, and without `\u` escapes every comma inside a text string is still in a
 * parsed key or value, so subtracting those keeps the bound. Anything else gets the exact scan.
 */
export function jsonShapeProblem(text: string, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) return scanShape(text);
  const obj = value as Record<string, unknown>;
  let keys = 0;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'object' && v !== null) return scanShape(text);
    keys++;
  }
  if (count(text, ',', keys) + 1 === keys) return undefined;
  if (keys > 0 && !text.includes('\\u')) {
    let inStrings = 0;
    for (const k in obj) {
      const v = obj[k];
      inStrings += count(k, ',', Number.POSITIVE_INFINITY);
      if (typeof v === 'string') inStrings += count(v, ',', Number.POSITIVE_INFINITY);
    }
    if (count(text, ',', Number.POSITIVE_INFINITY) - inStrings + 1 === keys) return undefined;
  }
  return scanShape(text);
}

/** One open container of {@link scanShape}: an object's keys so far, or undefined for an array. */
type Open = Set<string> | undefined;

/**
 * The exact check, on text JSON.parse has accepted (so it is well formed): a loop with an
 * explicit stack, never recursion, bounded by {@link MAX_DEPTH}.
 */
function scanShape(text: string): string | undefined {
  const stack: Open[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: find its closing quote, one not escaped by an odd run of backslashes.
      let j = text.indexOf('"', i + 1);
      for (;;) {
        let b = j - 1;
        while (text.charCodeAt(b) === 0x5c) b--;
        if ((j - 1 - b) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (expectKey) {
        expectKey = false;
        const keys = stack.at(-1) as Set<string>;
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw;
        if (keys.has(key)) return `duplicate key ${JSON.stringify(key)}`;
        keys.add(key);
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_DEPTH) return DEPTH_REASON;
      const isObject = c === 0x7b;
      stack.push(isObject ? new Set<string>() : undefined);
      expectKey = isObject;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack.at(-1) !== undefined;
    }
  }
  return undefined;
}
