import { USER_FIELDS } from '@stampede/schema';

/** The output formats. */
export const FORMATS = ['ndjson', 'json', 'csv'] as const;

/**
 * `ndjson`: one JSON record a line. `json`: one JSON array, a record a line.
 * `csv`: RFC 4180, a header row of field names, CRLF line ends.
 */
export type Format = (typeof FORMATS)[number];

/** Whether `value` is one of {@link FORMATS}. */
export function isFormat(value: unknown): value is Format {
  return typeof value === 'string' && (FORMATS as readonly string[]).includes(value);
}

const CSV_NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field per RFC 4180: quoted only when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  return CSV_NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** How chunks are framed into a whole file: what comes first, between two chunks and last. */
export interface Framing {
  head: string;
  between: string;
  tail: string;
}

/** The framing of `format`; chunk bodies themselves never carry it. */
export function framing(format: Format): Framing {
  switch (format) {
    case 'ndjson':
      return { head: '', between: '', tail: '' };
    case 'json':
      return { head: '[\n', between: ',\n', tail: '\n]\n' };
    case 'csv':
      return { head: `${USER_FIELDS.join(',')}\r\n`, between: '', tail: '' };
  }
}

/** The format a file name implies (`users.csv.gz` → `csv`), or undefined. */
export function formatFromPath(path: string): Format | undefined {
  const m = /\.(ndjson|jsonl|json|csv)(\.gz)?$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  if (ext === 'jsonl') return 'ndjson';
  return isFormat(ext) ? ext : undefined;
}
