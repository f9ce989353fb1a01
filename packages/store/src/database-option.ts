import { option } from '@stampede/cli';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './config.js';

/**
 * The `--db` option of every command that works on the store, declared once: `DATABASE_URL` when
 * absent, a URL checked as it is read (a bad one is refused, exit 2, before any work starts).
 * Resolve the value with `values.db ?? DEFAULT_DATABASE_URL`.
 */
export const databaseOption = option(
  'store: mysql://user:pass@host:port/db (h1:p1,h2:p2 for a cluster) or sqlite:path',
  {
    env: 'DATABASE_URL',
    defaultHelp: DEFAULT_DATABASE_URL,
    placeholder: '<url>',
    parse: (raw: string) => {
      const url = raw.trim();
      parseDatabaseUrl(url);
      return url;
    },
  },
);
