import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { siblingScript } from '@stampede/cli';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

// Every `./stampede` line of a `sh` block in the READMEs is a command a user will paste: run each,
// in order, in a fresh directory, against SQLite and against MariaDB, so none can rot.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readmes = [
  'README.md',
  ...readdirSync(join(root, 'packages')).map((p) => `packages/${p}/README.md`),
  'apps/runner/README.md',
].filter((f) => existsSync(join(root, f)));

/** The `./stampede` lines of `sh` blocks, comments dropped. */
function examples(markdown: string): string[] {
  const lines: string[] = [];
  let inSh = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) {
      inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(line);
      continue;
    }
    if (inSh && line.startsWith('./stampede ')) lines.push(line.replace(/\s+#\s.*$/, '').trim());
  }
  return lines;
}

// The CLI as the tests run it: the source, through tsx.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
const stampedeCommand = [process.execPath, ...cli.execArgv, cli.path].map(quote).join(' ');

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run one example line through sh in `cwd`; a `serve` is stopped once it answers. */
function runLine(line: string, cwd: string, url: string): Promise<Ran> {
  const command = line
    .replace(/(^|\|\s*)\.\/stampede /g, (_, before: string) => `${before}${stampedeCommand} `)
    .replace(/(mysql|sqlite):\S+/g, quote(url))
    .replace(/--port \d+/, '--port 0');
  const serve = / serve\b/.test(line);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', serve ? `exec ${command}` : `set -o pipefail; ${command}`], {
      cwd,
      env: { ...process.env, DATABASE_URL: url, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const listening = serve && /service on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (listening) {
        fetch(`${listening}/healthz`)
          .then((r) => {
            expect(r.status).toBe(200);
            child.kill('SIGTERM');
          })
          .catch(reject);
      }
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.once('exit', (status) => {
      clearTimeout(timer);
      // A service stopped by SIGTERM after a clean drain exits 143: that is its success.
      resolve({ status: serve && status === 143 ? 0 : status, stdout, stderr });
    });
  });
}

const db = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('readme-examples');
afterAll(() => tmp.cleanup());

const targets: [string, (dir: string) => string, typeof describe][] = [
  ['SQLite', (dir) => `sqlite:${join(dir, 'data', 'stampede.sqlite')}`, describe],
  ['MariaDB', () => db.url, db.describe as typeof describe],
];

it('finds the examples: the README has ./stampede lines', () => {
  expect(examples(readFileSync(join(root, 'README.md'), 'utf8')).length).toBeGreaterThanOrEqual(5);
});

for (const [name, urlFor, describeOn] of targets) {
  describeOn(`README examples against ${name}`, () => {
    for (const readme of readmes) {
      const lines = examples(readFileSync(join(root, readme), 'utf8'));
      if (lines.length === 0) continue;
      // generate and contend never open the store: a README of only those runs once, on SQLite.
      const usesStore = lines.some((l) => !/^\.\/stampede (generate|contend)\b/.test(l));
      if (!usesStore && name !== 'SQLite') continue;
      it(`${readme}: every ./stampede line exits 0`, { timeout: 600_000 }, async () => {
        const dir = tmp.join(`${name}-${readme.replaceAll('/', '-')}`);
        mkdirSync(join(dir, 'data'), { recursive: true });
        const url = urlFor(dir);
        for (const line of lines) {
          if (/^\.\/stampede contend\b/.test(line) && name !== 'SQLite') continue;
          const r = await runLine(line, dir, url);
          expect(r.status, `${line}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`).toBe(0);
        }
      });
    }
  });
}
