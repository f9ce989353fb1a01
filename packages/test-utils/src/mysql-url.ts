/** The server tests use: `MYSQL_URL`, or the local MariaDB's root account. */
export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/test';

/** `MYSQL_URL` from the environment, or {@link DEFAULT_MYSQL_URL}. */
export function testMysqlUrl(): string {
  return process.env.MYSQL_URL || DEFAULT_MYSQL_URL;
}

/** The URL with its password replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Whether the run is under CI (`CI=true` or `CI=1`), where a missing server is a failure. */
export function isCI(): boolean {
  const ci = process.env.CI;
  return ci === 'true' || ci === '1';
}
