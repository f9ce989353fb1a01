import { UsageError } from './errors.js';

/** A shard of a file: the `index`-th (1-based) of `count` line-aligned byte ranges. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * How an option's text becomes a value. Each parser gets the raw text and the option's name as the
 * user wrote it (`--count`, or `DATABASE_URL` when the value came from the environment) and throws
 * a {@link UsageError} that names both.
 */
export type ValueParser<T> = (raw: string, where: string) => T;

function bad(where: string, raw: string, expected: string, example?: string): UsageError {
  return new UsageError(
    `${where} must be ${expected}, got ${JSON.stringify(raw)}`,
    example ? { hint: `for example ${where.startsWith('-') ? `${where} ${example}` : `${where}=${example}`}` } : {},
  );
}

// Digits with `_` between groups, as in 1_000_000; no sign, no exponent, no decimals.
const INTEGER_RE = /^\d+(?:_\d+)*$/;

/** A whole number, `_` allowed as a digit separator (`1_000_000`), within `[min, max]`. */
export function integer(min = 0, max = Number.MAX_SAFE_INTEGER): ValueParser<number> {
  return (raw, where) => {
    const text = raw.trim();
    const n = INTEGER_RE.test(text) ? Number(text.replaceAll('_', '')) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      const range =
        max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
      throw bad(where, raw, range, String(Math.max(min, 1)));
    }
    return n;
  };
}

const DURATION_RE = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration, returned in milliseconds: a number in `unit` (`0.5`), or with its own unit
 * (`500ms`, `2s`, `1m`, `1h`). At least `minMs`.
 */
export function duration(unit: 's' | 'ms', minMs = 0): ValueParser<number> {
  return (raw, where) => {
    const m = DURATION_RE.exec(raw.trim());
    const ms = m ? Number(m[1]) * UNIT_MS[(m[2] as keyof typeof UNIT_MS | undefined) ?? unit] : Number.NaN;
    if (!Number.isFinite(ms) || ms < minMs) {
      throw bad(
        where,
        raw,
        `a duration${minMs > 0 ? ' above 0' : ''} in ${unit === 's' ? 'seconds' : 'milliseconds'} (or with a unit: ms, s, m, h)`,
        unit === 's' ? '0.5' : '500',
      );
    }
    return Math.round(ms);
  };
}

/** One of `choices`, exactly. */
export function choice<const T extends string>(choices: readonly T[]): ValueParser<T> {
  return (raw, where) => {
    if (!(choices as readonly string[]).includes(raw)) throw bad(where, raw, `one of ${choices.join(', ')}`);
    return raw as T;
  };
}

/** A comma-separated list, each item one of `choices` when given; empty items are dropped. */
export function list<const T extends string = string>(choices?: readonly T[]): ValueParser<T[]> {
  return (raw, where) => {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (choices) for (const item of items) choice(choices)(item, where);
    return items as T[];
  };
}

/** `k/N` with 1 <= k <= N. */
export const shard: ValueParser<Shard> = (raw, where) => {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || index < 1 || count < 1 || index > count) throw bad(where, raw, 'k/N with 1 <= k <= N', '2/4');
  return { index, count };
};

/** Any non-empty text. */
export const text: ValueParser<string> = (raw, where) => {
  if (raw === '') throw new UsageError(`${where} must not be empty`);
  return raw;
};
