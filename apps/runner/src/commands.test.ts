import { PassThrough } from 'node:stream';
import { allOptions, parseOptions } from '@stampede/cli';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand, stampede } from './commands.js';
import { main } from './main.js';

const tmp = makeTempDir('runner-commands');
afterAll(() => tmp.cleanup());

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { stream, text: () => text };
}

async function stampedeCli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = capture();
  const err = capture();
  const status = await main(argv, { stdout: out.stream, stderr: err.stream, env, handleSignals: false });
  return { status, stdout: out.text(), stderr: err.text() };
}

// Each of these drifted while every command parsed its own options (issue 14).
describe('one command-line layer for every command', () => {
  it('-h and --help work for every command', async () => {
    for (const name of Object.keys(stampede.commands)) {
      for (const h of ['-h', '--help']) {
        const r = await stampedeCli([name, h]);
        expect(r.status, `${name} ${h}`).toBe(0);
        expect(r.stdout, `${name} ${h}`).toMatch(new RegExp(`^stampede ${name} — `));
        expect(r.stdout).toMatch(/--json/);
        expect(r.stdout).toMatch(/--verbose/);
      }
    }
  });

  it('generate without --count names the option once', async () => {
    const r = await stampedeCli(['generate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --count is required\n/);
    expect(r.stderr).not.toContain('----count');
  });

  it('run takes 1_000 as generate does', () => {
    expect(parseOptions(allOptions(runCommand), ['--count', '1_000'], {}).values.count).toBe(1000);
    const generate = stampede.commands.generate!;
    expect(parseOptions(allOptions(generate), ['--count', '1_000'], {}).values.count).toBe(1000);
  });

  it('options before the command are the command’s: stampede --db URL doctor', async () => {
    const db = `sqlite:${tmp.join('global.sqlite')}`;
    const r = await stampedeCli(['--db', db, '--json', 'doctor']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { checks: { name: string; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'store')?.detail).toContain(tmp.join('global.sqlite'));
  });

  it('contend does not take the store: a --db before it is refused, DATABASE_URL is said not to be read', async () => {
    const r = await stampedeCli(['--db', 'sqlite:x.sqlite', 'contend']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: --db does not apply to stampede contend\nhint: run stampede contend --help/);
    const help = await stampedeCli(['contend', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('Not the store: DATABASE_URL is not read');
  });

  it('a bad DATABASE_URL is named as such, exit 2, before any work', async () => {
    const r = await stampedeCli(['doctor'], { DATABASE_URL: 'postgres://h/db' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: Invalid database URL "postgres:\/\/h\/db"/);
  });

  it('the default of an option is written once: help shows what the parser uses', async () => {
    const help = (await stampedeCli(['run', '--help'])).stdout;
    expect(help).toMatch(/--count <n>\s+users to generate and load \(default 100000\)/);
    expect(parseOptions(allOptions(runCommand), [], {}).values.count).toBe(100_000);
  });
});
