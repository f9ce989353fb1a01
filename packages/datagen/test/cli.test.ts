import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { siblingScript } from '@stampede/cli';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { generateRecords, runDatagenCli } from '../src/index.js';
import { isDirect, tempFileFlags } from './open-flags.js';

// The source CLI, run as the tests run: TypeScript through tsx, our packages from their source.
const CLI = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const dir = makeTempDir('datagen-cli');
afterAll(() => dir.cleanup());

function collector(isTTY = false) {
  const parts: Buffer[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        parts.push(Buffer.from(chunk));
        callback();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

async function run(argv: string[]) {
  const stdout = collector();
  const stderr = collector();
  const status = await runDatagenCli(argv, { stdout: stdout.stream, stderr: stderr.stream, handleSignals: false });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

describe('runDatagenCli', () => {
  it('--help prints every option and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const flag of [
      '--count',
      '--seed',
      '--threads',
      '--format',
      '--out',
      '--start-id',
      '--locale',
      '--direct-io',
      '--json',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('--no-direct-io: only through the page cache');
  });

  it.runIf(process.platform === 'linux')(
    '--direct-io opens the file with O_DIRECT, --no-direct-io and a small file by default the page cache; the same bytes',
    async () => {
      const flagsOf = async (name: string, extra: string[]) => {
        const out = dir.join(name);
        const flags: number[] = [];
        const poll = setInterval(() => flags.push(...tempFileFlags(out)), 2);
        let r: Awaited<ReturnType<typeof run>>;
        try {
          r = await run(['-n', '60000', '--threads', '2', '-o', out, '-q', '--json', ...extra]);
        } finally {
          clearInterval(poll);
        }
        expect(r.status).toBe(0);
        return { flags, bytes: readFileSync(out), io: JSON.parse(r.stdout).io };
      };
      const direct = await flagsOf('direct.ndjson', ['--direct-io']);
      const cached = await flagsOf('cached.ndjson', ['--no-direct-io']);
      const auto = await flagsOf('auto.ndjson', []);
      expect(direct.flags.some(isDirect)).toBe(true);
      expect(direct.io).toMatchObject({ directBytes: direct.bytes.length, cachedBytes: 0 });
      for (const run of [cached, auto]) {
        expect(run.flags.length).toBeGreaterThan(0);
        expect(run.flags.some(isDirect)).toBe(false);
      }
      expect(cached.io).toBeUndefined();
      // 18 MB, short of the 64 MiB the default writes through the page cache first.
      expect(auto.io).toEqual({ directBytes: 0, cachedBytes: auto.bytes.length, waitedMs: 0 });
      expect(direct.bytes.equals(cached.bytes)).toBe(true);
      expect(auto.bytes.equals(cached.bytes)).toBe(true);
    },
  );

  it('writes a file and prints a JSON summary on stdout', async () => {
    const out = dir.join('users.csv');
    const r = await run(['-n', '12_345', '--seed', '4', '--threads', '2', '-o', out, '--json', '--locale', 'ja']);
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ ok: true, rows: 12_345, format: 'csv', locale: 'ja', seed: 4, out, threads: 2 });
    expect(readFileSync(out, 'utf8').split('\r\n').length).toBe(12_345 + 2); // header and the final CRLF
  });

  it('writes data to stdout and the summary to stderr when --out is absent', async () => {
    const r = await run(['--count', '300', '--start-id', '1000', '--threads', '1']);
    expect(r.status).toBe(0);
    const records = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toEqual(await generateRecords({ count: 300, startId: 1000 }));
    expect(r.stderr).toMatch(/^wrote 300 users \(ids 1000-1299, ndjson, .*\) to stdout/);
  });

  it.each([
    [['--count', '0'], '--count must be a whole number of at least 1, got "0"'],
    [['--count', '-5'], '--count'],
    [['--count=-5'], '--count must be a whole number'],
    [['--count', '1.5'], '--count must be a whole number'],
    [['--count', 'ten'], '--count must be a whole number'],
    [[], '--count is required'],
    [['-n', '5', '--format', 'xml'], '--format must be one of ndjson, json, csv, got "xml"'],
    [['-n', '5', '--locale', 'klingon'], '--locale must be one of en, de, fr, ja'],
    [['-n', '5', '--threads', '0'], '--threads must be a whole number from 1 to 256'],
    [['-n', '5', '--start-id', '0'], '--start-id must be a whole number of at least 1'],
    [['-n', '5', '--frobnicate'], 'unknown option --frobnicate'],
  ])('%j exits 2 with one line naming the option, leaving no file', async (argv, message) => {
    const out = dir.join('bad.ndjson');
    const r = await run([...argv, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toContain(message);
    expect(r.stderr).not.toContain('    at ');
    expect(existsSync(out)).toBe(false);
  });

  it('--json reports a bad option as JSON on stdout too', async () => {
    const r = await run(['-n', '0', '-o', dir.join('never.ndjson'), '--json']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'USAGE', status: 2 });
    expect(r.stderr).toContain('--count must be a whole number of at least 1');
  });

  it('an unwritable path exits 2 naming --out', async () => {
    const r = await run(['-n', '5', '-o', dir.join('missing', 'users.ndjson')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^stampede-datagen: --out .*missing.* cannot be written \(ENOENT\)/);
  });
});

describe('stampede-datagen process', () => {
  it('SIGINT mid-run exits 130 and leaves no file, temporary or final', async () => {
    const sub = makeTempDir('datagen-sigint');
    try {
      const out = sub.join('users.ndjson');
      const child = spawn(
        process.execPath,
        [...CLI.execArgv, CLI.path, '-n', '50000000', '-o', out, '--threads', '2'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      // Wait until the temporary file exists and has data: the run is really under way.
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (readdirSync(sub.path).some((f) => f.endsWith('.tmp'))) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
        child.once('exit', () => {
          clearInterval(timer);
          reject(new Error(`exited before it started writing: ${stderr}`));
        });
      });
      child.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(130);
      expect(stderr).toContain('interrupted');
      expect(readdirSync(sub.path)).toEqual([]);
    } finally {
      sub.cleanup();
    }
  });

  it('a missing locale file exits 1 naming the file, and leaves no file', { timeout: 120_000 }, async () => {
    // A build of the source whose locales/ folder is missing, as in a broken install; it sits in
    // the package so that its imports still resolve. Built afresh, not copied from a dist/
    // that may be stale or absent.
    const copy = mkdtempSync(fileURLToPath(new URL('../.no-locales-', import.meta.url)));
    const sub = makeTempDir('datagen-no-locales-out');
    try {
      // typescript's exports map names its package.json but not its bin.
      const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(copy, 'dist')], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        stdio: 'inherit',
      });
      const out = sub.join('users.ndjson');
      const child = spawn(process.execPath, [join(copy, 'dist/cli.js'), '-n', '100', '-o', out, '--locale', 'fr'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      expect(code).toBe(1);
      expect(stderr).toContain(`: the fr locale file ${join(copy, 'locales/fr.json')} cannot be read (ENOENT)`);
      expect(stderr).toContain('reinstall');
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(readdirSync(sub.path)).toEqual([]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
      sub.cleanup();
    }
  });
});
