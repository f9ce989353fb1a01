import { spawn } from 'node:child_process';
import { linkSync, openSync, readFileSync, symlinkSync } from 'node:fs';
import { relative } from 'node:path';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { loaderCliPath, loaderNodeFlags } from '../src/cli-path.js';
import { loadFile } from '../src/index.js';
import { ndjson, runLoad, users, write } from './fixtures.js';

// Issue 15 items 3 and 8: the reject file is never the input, never a file the loader did not
// write, and after a changed input it describes the new one.
const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('loader-reject-file');
afterAll(() => tmp.cleanup());

const run = runLoad;

const targets: [string, (t: string) => string, (name: string, fn: () => void) => void][] = [
  ['SQLite', (t) => `sqlite:${tmp.join(`${t}.sqlite`)}`, describe],
  ['MariaDB/MySQL', () => db.url, db.describe],
];

const rejectsOf = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { line: number; raw: string });

for (const [target, urlFor, describeOn] of targets) {
  // A file name part.
  const name = target.replace(/\W/g, '');
  describeOn(`--reject-file (${target})`, () => {
    it('the input itself, by path, symlink or hard link: exit 2, the input untouched, nothing loaded', async () => {
      const text = `${ndjson(users(1, 5))}{bad\n`;
      const input = write(tmp.join(`self-${name}.ndjson`), text);
      const symlink = tmp.join(`self-${name}-symlink.ndjson`);
      symlinkSync(input, symlink);
      const hardlink = tmp.join(`self-${name}-hardlink.ndjson`);
      linkSync(input, hardlink);
      for (const rejectFile of [input, relative(process.cwd(), input), symlink, hardlink]) {
        for (const resume of [[], ['--resume']]) {
          const r = await run([
            '--db',
            urlFor('self'),
            '--table',
            'self',
            ...resume,
            '--reject-file',
            rejectFile,
            input,
          ]);
          expect(r.status, rejectFile).toBe(2);
          expect(r.stderr.split('\n')[0]).toMatch(/--reject-file .* is the input/);
          expect(readFileSync(input, 'utf8')).toBe(text);
        }
      }
    });

    it('a file the loader did not write is refused (exit 2) and left as it was, with or without --resume', async () => {
      const input = write(tmp.join(`theirs-${name}.ndjson`), `${ndjson(users(1, 5))}{bad\n`);
      const notes = '# my notes, no line end at the end';
      const theirs = write(tmp.join(`notes-${name}.txt`), notes);
      const users1 = write(tmp.join(`users-${name}.ndjson`), ndjson(users(100, 3)));
      for (const [file, text] of [
        [theirs, notes],
        [users1, ndjson(users(100, 3))],
      ] as const) {
        for (const resume of [[], ['--resume']]) {
          const r = await run(['--db', urlFor('theirs'), '--table', 'theirs', ...resume, '--reject-file', file, input]);
          expect(r.status, file).toBe(2);
          expect(r.stderr.split('\n')[0]).toMatch(/not a reject file/);
          expect(r.stderr).toMatch(/^hint: /m);
          expect(readFileSync(file, 'utf8')).toBe(text);
        }
      }
    });

    it('its own reject file of an earlier run is replaced; an empty file is used', async () => {
      const input = write(tmp.join(`own-${name}.ndjson`), `${ndjson(users(1, 5))}{bad\n`);
      const rejectFile = tmp.join(`own-${name}.rej`);
      expect((await run(['--db', urlFor('own'), '--table', 'own', '--reject-file', rejectFile, input])).status).toBe(2);
      expect((await run(['--db', urlFor('own'), '--table', 'own', '--reject-file', rejectFile, input])).status).toBe(2);
      expect(rejectsOf(rejectFile).map((r) => r.line)).toEqual([6]);
      const empty = write(tmp.join(`empty-${name}.rej`), '');
      expect((await run(['--db', urlFor('own'), '--table', 'own', '--reject-file', empty, input])).status).toBe(2);
      expect(rejectsOf(empty).map((r) => r.line)).toEqual([6]);
    });

    it('a changed input with --resume starts afresh, and so does its reject file: the new reject, not the old', async () => {
      const table = 'changed';
      const input = tmp.join(`changed-${name}.ndjson`);
      const rejectFile = tmp.join(`changed-${name}.rej`);
      const rows = ndjson(users(1, 50)).split('\n');
      // The same line, the same offset, a different bad record.
      write(input, `${[...rows.slice(0, 10), '{old-bad', ...rows.slice(10)].join('\n')}`);
      const o = { db: urlFor(table), table, input, rejectFile, concurrency: 1 };
      expect(await loadFile({ ...o, resume: true })).toMatchObject({ rejected: 1, complete: true });
      expect(rejectsOf(rejectFile)).toMatchObject([{ line: 11, raw: '{old-bad' }]);
      write(input, `${[...rows.slice(0, 10), '{new-bad', ...rows.slice(10)].join('\n')}`);
      const second = await loadFile({ ...o, resume: true });
      expect(second).toMatchObject({ resumed: false, rejected: 1, complete: true });
      expect(rejectsOf(rejectFile)).toMatchObject([{ line: 11, raw: '{new-bad' }]);
    });
  });
}

describe('--reject-file and standard input', () => {
  it('stampede-load - < FILE --reject-file FILE: exit 2, FILE untouched', async () => {
    const text = `${ndjson(users(1, 5))}{bad\n`;
    const input = write(tmp.join('stdin-self.ndjson'), text);
    const fd = openSync(input, 'r');
    const child = spawn(
      process.execPath,
      [
        ...loaderNodeFlags,
        loaderCliPath,
        '--db',
        `sqlite:${tmp.join('stdin-self.sqlite')}`,
        '--reject-file',
        input,
        '-',
      ],
      { stdio: [fd, 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(/--reject-file .* is the input/);
    expect(readFileSync(input, 'utf8')).toBe(text);
  });
});
