import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { ndjson, runLoad, users, write } from './fixtures.js';

const tmp = makeTempDir('loader-cli');
afterAll(() => tmp.cleanup());

const run = runLoad;

describe('stampede-load (in process)', () => {
  it('--help lists every option and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const opt of [
      '--db',
      '--table',
      '--format',
      '--concurrency',
      '--batch-rows',
      '--batch-bytes',
      '--shard',
      '--resume',
      '--on-duplicate',
      '--method',
      '--defer-indexes',
      '--reject-file',
      '--max-rejects',
      '--json',
      '--verbose',
    ]) {
      expect(r.stdout).toContain(opt);
    }
  });

  it('bad options and inputs: exit 2 with one line naming the option or file, and a hint', async () => {
    const cases: [string[], RegExp][] = [
      [['--nope', 'x.ndjson'], /unknown option --nope/],
      [['--concurrency', 'zero', 'x.ndjson'], /--concurrency must be a whole number of at least 1, got "zero"/],
      [['--shard', '4/3', 'x.ndjson'], /--shard must be k\/N with 1 <= k <= N, got "4\/3"/],
      [['--on-duplicate', 'merge', 'x.ndjson'], /--on-duplicate must be one of update, skip, error, got "merge"/],
      [[], /no input/],
      [[tmp.join('missing.ndjson')], /missing\.ndjson: no such file/],
      [['--db', 'postgres://x', tmp.join('missing.ndjson')], /postgres/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      expect(r.stderr).toMatch(/^hint: /m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('--json prints the summary; rejected rows make the status 2 and name the reject file', async () => {
    const input = write(tmp.join('cli.ndjson'), `${ndjson(users(1, 30))}{oops\n`);
    const db = `sqlite:${tmp.join('cli.sqlite')}`;
    const r = await run(['--db', db, '--json', input]);
    expect(r.status).toBe(2);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ rowsRead: 31, inserted: 30, rejected: 1, complete: true });
    expect(summary.rejectFile).toBe(tmp.join('cli.rejects.ndjson'));
    expect(JSON.parse(readFileSync(summary.rejectFile, 'utf8'))).toMatchObject({
      line: 31,
      stage: 'parse',
      raw: '{oops',
    });
    const clean = write(tmp.join('clean.ndjson'), ndjson(users(100, 5)));
    const ok = await run(['--db', db, clean]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/inserted 5 /);
  });

  it('a server that is not there: exit 1, one line naming host and port, a hint, no stack', async () => {
    const input = write(tmp.join('refused.ndjson'), ndjson(users(1, 3)));
    const r = await run(['--db', 'mysql://root@127.0.0.1:1/test', input]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^error: Connection refused at 127\.0\.0\.1:1: no server is listening there\nhint: start the server/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a fresh run replaces the reject file of an earlier run; nothing rejected leaves none', async () => {
    const db = `sqlite:${tmp.join('replace.sqlite')}`;
    const input = tmp.join('replace.ndjson');
    write(input, `${ndjson(users(1, 3))}{bad\n`);
    expect((await run(['--db', db, input])).status).toBe(2);
    write(input, ndjson(users(1, 3)));
    expect((await run(['--db', db, input])).status).toBe(0);
    expect(existsSync(tmp.join('replace.rejects.ndjson'))).toBe(false);
  });

  it('says before loading that the table already holds rows, and what will happen to them', async () => {
    const db = `sqlite:${tmp.join('existing.sqlite')}`;
    const input = tmp.join('existing.ndjson');
    write(input, ndjson(users(1, 4)));
    const first = await run(['--db', db, input]);
    expect(first.stderr).not.toMatch(/already holds/);
    const again = await run(['--db', db, input]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(
      /^note: table users in sqlite:.* already holds 4 rows; any of them the input has again will be updated/m,
    );
    const skip = await run(['--db', db, '--on-duplicate', 'skip', input]);
    expect(skip.stderr).toMatch(/already holds 4 rows; any of them the input has again will be left as they are/);
  });

  it('reads standard input with -', async () => {
    const db = `sqlite:${tmp.join('stdin.sqlite')}`;
    const r = await run(['--db', db, '--json', '-'], Readable.from([Buffer.from(ndjson(users(1, 12)))]));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ input: '-', inserted: 12 });
  });
});
