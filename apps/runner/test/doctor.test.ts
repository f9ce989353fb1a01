import { siblingScript } from '@stampede/cli';
import { freePort, makeTempDir, useTestDatabase, withDatabase } from '@stampede/test-utils';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

// The bin from source: src/cli.ts through tsx, our packages from their source.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('doctor');
afterAll(() => tmp.cleanup());
const run = (...args: string[]) =>
  execa(process.execPath, [...cli.execArgv, cli.path, ...args], {
    reject: false,
    cwd: tmp.path,
    env: { DATABASE_URL: '' },
    timeout: 20_000,
  });

describe('stampede doctor on the embedded store', () => {
  it('prints every machine line and passes', async () => {
    const r = await run('doctor');
    expect(r.exitCode).toBe(0);
    for (const name of ['node', 'platform', 'cpu', 'memory', 'disk', 'sqlite', 'store']) {
      expect(r.stdout).toMatch(new RegExp(`^ok\\s+${name}\\s`, 'm'));
    }
    expect(r.stdout).toContain(tmp.join('data', 'stampede.sqlite'));
  });

  it('--json gives the same checks as data', async () => {
    const r = await run('doctor', '--json', '--db', 'sqlite:x.sqlite');
    const report = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['node', 'platform', 'cpu', 'memory', 'disk', 'sqlite', 'store']);
  });

  it('refuses a bad URL and an unknown option with one line and exit 2, no stack trace', async () => {
    const bad = await run('doctor', '--db', 'postgres://h/db');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: Invalid database URL "postgres:\/\/h\/db": unknown scheme\nhint: /);
    expect(bad.stderr).not.toMatch(/\bat .+\.js:\d+/);
    const opt = await run('doctor', '--bogus');
    expect(opt.exitCode).toBe(2);
    expect(opt.stderr).toContain('unknown option --bogus');
    const cmd = await run('frobnicate');
    expect(cmd.exitCode).toBe(2);
    expect(cmd.stderr).toContain('unknown command "frobnicate"');
  });
});

db.describe('stampede doctor against MySQL/MariaDB', () => {
  it('prints every server line for a reachable server', async () => {
    const r = await run('doctor', '--db', db.url);
    expect(r.exitCode).toBe(0);
    for (const name of ['mysql', 'mysql.local_infile', 'mysql.max_allowed_packet', 'mysql.innodb_buffer_pool_size']) {
      expect(r.stdout).toMatch(new RegExp(`^(ok|warn)\\s+${name.replace('.', '\\.')}\\s`, 'm'));
    }
    expect(r.stdout).toMatch(/^ok\s+mysql\s+(MariaDB|MySQL) \d+\.\d+/m);
    expect(r.stdout).toMatch(/^ok\s+mysql\.privileges\s+CREATE, INSERT, SELECT/m);
  });

  it('fails with "connection refused" for a port with no server, within seconds', async () => {
    const url = new URL(db.url);
    url.port = String(await freePort());
    const started = Date.now();
    const r = await run('doctor', '--db', url.toString());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+mysql\s+Connection refused at 127\.0\.0\.1:\d+/m);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails with "access denied" for a bad password, without printing it', async () => {
    const url = new URL(db.url);
    url.password = 'not-the-password';
    const r = await run('doctor', '--db', url.toString());
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+mysql\s+Access denied for user/m);
    expect(r.stdout).not.toContain('not-the-password');
  });

  it('fails with "unknown database" for a database that does not exist', async () => {
    const r = await run('doctor', '--db', withDatabase(db.serverUrl, 'stampede_no_such_database'));
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^fail\s+mysql\s+Unknown database "stampede_no_such_database"/m);
  });

  it('fails with "unknown host" for a host that does not resolve', async () => {
    const r = await run('doctor', '--db', 'mysql://root@no-such-host.invalid:3306/test', '--json');
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'mysql')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/Unknown host/),
    });
  });
});
