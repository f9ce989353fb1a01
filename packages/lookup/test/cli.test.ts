import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { siblingScript } from '@stampede/cli';
import { openStore } from '@stampede/store';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLookupCli, runServeCli } from '../src/index.js';
import { makeUser } from './fixtures.js';

const tmp = makeTempDir('lookup-cli');
const dbUrl = `sqlite:${tmp.join('users.sqlite')}`;
const users = Array.from({ length: 20 }, (_, i) => makeUser(i + 1));
const u3 = users[2]!;
const u7 = users[6]!;
// The bin from source: src/cli.ts through tsx, with the source export condition.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');

beforeAll(async () => {
  const store = openStore(dbUrl);
  await store.ensureSchema();
  await store.upsert(users);
  await store.close();
});
afterAll(() => tmp.cleanup());

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString('utf8');
  });
  return { stream, text: () => text };
}

async function lookup(argv: string[], input = '') {
  const out = capture();
  const err = capture();
  const status = await runLookupCli(argv, {
    stdin: Readable.from([input]),
    stdout: out.stream,
    stderr: err.stream,
    env: {},
  });
  return { status, stdout: out.text(), stderr: err.text() };
}

describe('stampede lookup', () => {
  it('the prompt: pairs typed on stdin until an empty answer, then a table', async () => {
    const r = await lookup(['--db', dbUrl], `${u3.username}\n${u3.department}\nghost\nSales\n\nnot.read\nSales\n`);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('username (empty to finish): ');
    expect(r.stderr).toContain('department: ');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^username\s+department\s+found\s+id\s+name\s+email$/);
    expect(lines[2]).toMatch(new RegExp(`^${u3.username}\\s+${u3.department}\\s+yes\\s+3\\s+Zoë 𠮷野\\s+${u3.email}$`));
    expect(lines[3]).toMatch(/^ghost\s+Sales\s+no\s+-/);
    expect(r.stdout).toContain('1 found, 1 not found');
    expect(r.stdout).not.toContain('not.read');
  });

  it('the prompt ends at end of input (Ctrl-D), mid-pair too; --json output', async () => {
    const r = await lookup(['--db', dbUrl, '--json'], `${u7.username}\n${u7.department}\n${u3.username}`);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.found).toBe(1);
    expect(out.results).toEqual([{ username: u7.username, department: u7.department, found: true, user: u7 }]);
  });

  it('--pair repeated and --file, in order', async () => {
    const file = tmp.join('pairs.csv');
    writeFileSync(file, `username,department\n${u7.username},"${u7.department}"\n\nnobody,Legal\n`);
    const r = await lookup(['--db', dbUrl, '--json', '--pair', `${u3.username}:${u3.department}`, '--file', file]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.results.map((x: { username: string; found: boolean }) => [x.username, x.found])).toEqual([
      [u3.username, true],
      [u7.username, true],
      ['nobody', false],
    ]);
  });

  it('bad input: exit 2 with one line naming the option or file:line', async () => {
    let r = await lookup(['--db', dbUrl, '--pair', 'nocolon']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --pair "nocolon": expected username:department/);
    const file = tmp.join('bad.csv');
    writeFileSync(file, 'user.1,Sales\nuser.2,Sales,extra\n');
    r = await lookup(['--db', dbUrl, '--file', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}:2: expected two fields`);
    r = await lookup(['--db', dbUrl, '--file', tmp.join('absent.csv')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no such file');
    r = await lookup(['--bogus']);
    expect(r.status).toBe(2);
    r = await lookup(['--db', 'postgres://x', '--pair', 'a:b']);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the prompt asks again for a department left empty, and takes user:Department on one line', async () => {
    const r = await lookup(
      ['--db', dbUrl, '--json'],
      `${u3.username}\n\n${u3.department}\n${u7.username}:${u7.department}\n\n`,
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`department of ${u3.username} (needed): `);
    const out = JSON.parse(r.stdout) as { found: number; results: { username: string }[] };
    expect(out.results.map((x) => x.username)).toEqual([u3.username, u7.username]);
    expect(out.found).toBe(2);
  });

  it('a username whose department never comes is said to be left out, not dropped in silence', async () => {
    const r = await lookup(['--db', dbUrl, '--json'], `${u3.username}\n${u3.department}\nghost\n`);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('no department for ghost: not looked up');
    expect((JSON.parse(r.stdout) as { results: unknown[] }).results).toHaveLength(1);
  });

  it('a refused port: exit 1, the server named, a hint about the server (not about batches)', async () => {
    const r = await lookup(['--db', 'mysql://root:s3cret@127.0.0.1:1/test', '--pair', 'a.b:Sales']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: Connection refused at 127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/^hint: start the server/m);
    expect(r.stderr).not.toMatch(/batch|s3cret/);
  });

  it('a store without the table: exit 1, the table named, and how to load it', async () => {
    const r = await lookup(['--db', `sqlite:${tmp.join('empty.sqlite')}`, '--pair', 'user.1:Sales']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: no users table in sqlite:.*\nhint: load users into it first \(stampede generate .* stampede load /,
    );
  });

  it('--help', async () => {
    const r = await lookup(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--pair');
  });
});

describe('stampede serve', () => {
  // Start `serve` in process; resolves once it listens, with the promise of its exit status.
  function startServe(argv: string[], env: NodeJS.ProcessEnv = {}) {
    const controller = new AbortController();
    const out = capture();
    const err = capture();
    return new Promise<{ base: string; done: Promise<number>; stop: () => void; out: typeof out; err: typeof err }>(
      (resolve, reject) => {
        const done: Promise<number> = runServeCli(argv, {
          stdout: out.stream,
          stderr: err.stream,
          env,
          signal: controller.signal,
          onListening: (base) => resolve({ base, done, stop: () => controller.abort(), out, err }),
        });
        done.then((status) => reject(new Error(`serve ended with ${status} before listening: ${err.text()}`)));
      },
    );
  }

  it('serves until the caller aborts, then resolves 0 after the drain', async () => {
    const s = await startServe(['--db', dbUrl, '--port', '0'], { STAMPEDE_API_KEY: 'k3y' });
    expect(s.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${s.base}/users?username=${u3.username}&department=${encodeURIComponent(u3.department)}`, {
      headers: { authorization: 'Bearer k3y' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: number }).id).toBe(3);
    expect((await fetch(`${s.base}/users?username=x`)).status).toBe(401);
    s.stop();
    expect(await s.done).toBe(0);
    expect(s.out.text()).toContain(`on ${s.base}`);
    // pino request logs, one JSON object a line
    const logs = s.err
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed', 'stopped']),
    );
  });

  it('exits 2 on a bad option and 1 when the port is taken', async () => {
    const err = capture();
    expect(await runServeCli(['--port', 'http'], { stderr: err.stream, stdout: capture().stream, env: {} })).toBe(2);
    expect(err.text()).toContain('--port must be a whole number from 0 to 65535, got "http"');
    const s = await startServe(['--db', dbUrl, '--port', '0', '--log-level', 'silent']);
    const port = new URL(s.base).port;
    const err2 = capture();
    const status = await runServeCli(['--db', dbUrl, '--port', port], {
      stdout: capture().stream,
      stderr: err2.stream,
      env: {},
    });
    expect(status).toBe(1);
    expect(err2.text()).toContain(`port ${port} on 127.0.0.1 is in use`);
    s.stop();
    expect(await s.done).toBe(0);
  });

  it('a real process drains on SIGTERM and exits 143', async () => {
    const child = spawn(
      process.execPath,
      [...cli.execArgv, cli.path, 'serve', '--db', dbUrl, '--port', '0', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, STAMPEDE_API_KEY: '' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { listening: string }).listening));
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect((await fetch(`${address}/readyz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('"msg":"stopped"');
  });
});
