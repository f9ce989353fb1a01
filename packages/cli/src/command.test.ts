import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defineCommand, runCommand } from './command.js';
import { StampedeError } from './errors.js';
import { formatHelp } from './help.js';
import { flag, option } from './options.js';
import { programHelp, runProgram } from './program.js';
import { integer } from './values.js';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return { stream, text: () => text };
}

function io(extra: Record<string, unknown> = {}) {
  const stdout = capture();
  const stderr = capture();
  return {
    out: stdout,
    err: stderr,
    io: { stdout: stdout.stream, stderr: stderr.stream, env: {}, handleSignals: false, ...extra },
  };
}

const seen: unknown[] = [];
const dbOption = option('store', { env: 'DATABASE_URL', defaultHelp: 'sqlite:./x', placeholder: '<url>' });
const count = defineCommand({
  name: 'demo count',
  summary: 'counts',
  usage: 'demo count [--count <n>] [--db <url>]',
  options: {
    count: option('how many', { parse: integer(1), default: 3, placeholder: '<n>' }),
    db: dbOption,
    fail: option('fail with this code'),
  },
  async run(ctx) {
    seen.push(ctx.values);
    if (ctx.values.fail === 'config') throw new StampedeError('CONFIG', 'bad url "x"', { hint: 'fix it', exitCode: 2 });
    if (ctx.values.fail === 'crash') throw new TypeError('boom');
    if (ctx.values.fail === 'wait') {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return 0;
    }
    ctx.io.stdout.write(ctx.values.json ? '{"n":1}\n' : `counted ${ctx.values.count}\n`);
    return 0;
  },
});

describe('runCommand', () => {
  it('prints help with each default once, for -h and --help alike', async () => {
    for (const h of ['-h', '--help']) {
      const t = io();
      expect(await runCommand(count, [h], t.io)).toBe(0);
      expect(t.out.text()).toContain('Usage: demo count');
      expect(t.out.text()).toMatch(/--count <n>\s+how many \(default 3\)/);
      expect(t.out.text()).toMatch(/--db <url>\s+store \(default: \$DATABASE_URL, else sqlite:\.\/x\)/);
      expect(t.out.text()).toMatch(/-h, --help/);
    }
  });

  it('says what --no-<name> does: "to turn off", or the option\'s own words', () => {
    const help = formatHelp(
      { name: 'demo x', usage: 'demo x', summary: 'x' },
      {
        report: option('write a report', { negatable: true, placeholder: '<file>' }),
        'direct-io': flag('all direct', { negatable: true, negatedHelp: '--no-direct-io: only the page cache' }),
      },
    );
    expect(help).toMatch(/--report <file>\s+write a report \(--no-report to turn off\)/);
    expect(help).toMatch(/--direct-io\s+all direct \(--no-direct-io: only the page cache\)/);
    expect(help).not.toMatch(/--no-direct-io to turn off/);
  });

  it('maps a usage error to one line, a hint and exit 2', async () => {
    const t = io();
    expect(await runCommand(count, ['--count', 'x'], t.io)).toBe(2);
    expect(t.err.text()).toBe(
      'error: --count must be a whole number of at least 1, got "x"\nhint: for example --count 1\n',
    );
  });

  it('maps a Stampede error to its exit code and hint, and an unknown error to 1 with no stack', async () => {
    const t = io();
    expect(await runCommand(count, ['--fail', 'config'], t.io)).toBe(2);
    expect(t.err.text()).toBe('error: bad url "x"\nhint: fix it\n');
    const u = io();
    expect(await runCommand(count, ['--fail', 'crash'], u.io)).toBe(1);
    expect(u.err.text()).toBe('error: boom\n(run with --verbose for details)\n');
    const v = io();
    expect(await runCommand(count, ['--fail', 'crash', '--verbose'], v.io)).toBe(1);
    expect(v.err.text()).toMatch(/TypeError: boom\n\s+at /);
  });

  it('with --json, reports an error as JSON on stdout as well', async () => {
    const t = io();
    expect(await runCommand(count, ['--fail', 'config', '--json'], t.io)).toBe(2);
    expect(JSON.parse(t.out.text())).toEqual({
      ok: false,
      code: 'CONFIG',
      message: 'bad url "x"',
      hint: 'fix it',
      status: 2,
    });
  });

  it('stops on the caller’s signal with 130, or 143 for SIGTERM', async () => {
    for (const [reason, status] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const controller = new AbortController();
      const t = io({ signal: controller.signal });
      const running = runCommand(count, ['--fail', 'wait'], t.io);
      setTimeout(() => controller.abort(reason), 20);
      expect(await running).toBe(status);
    }
  });

  it('refuses positional arguments it does not take', async () => {
    const t = io();
    expect(await runCommand(count, ['extra'], t.io)).toBe(2);
    expect(t.err.text()).toMatch(/^error: unexpected argument "extra"/);
  });
});

describe('runProgram', () => {
  const program = {
    name: 'demo',
    summary: 'a demo',
    version: '1.2.3',
    commands: {
      count,
      other: defineCommand({
        name: 'demo other',
        summary: 'other',
        usage: 'demo other',
        options: {},
        run: async () => 0,
      }),
      // Its own --db is another option (a file of its own): the global --db is not handed to it.
      lab: defineCommand({
        name: 'demo lab',
        summary: 'lab',
        usage: 'demo lab',
        options: { db: option('lab file') },
        run: async () => 0,
      }),
    },
    globalOptions: { db: dbOption },
  };

  it('hands options before the command to it', async () => {
    const t = io();
    seen.length = 0;
    expect(await runProgram(program, ['--db', 'sqlite:z', 'count', '--count', '1_000'], t.io)).toBe(0);
    expect(seen[0]).toMatchObject({ db: 'sqlite:z', count: 1000 });
    expect(await runProgram(program, ['--json', 'count'], t.io)).toBe(0);
    expect(t.out.text()).toContain('{"n":1}');
  });

  it('says which global option a command does not take, and which commands exist', async () => {
    const t = io();
    expect(await runProgram(program, ['--db', 'x', 'other'], t.io)).toBe(2);
    expect(t.err.text()).toMatch(/^error: --db does not apply to demo other\n/);
    const l = io();
    expect(await runProgram(program, ['--db', 'x', 'lab'], l.io)).toBe(2);
    expect(l.err.text()).toMatch(/^error: --db does not apply to demo lab\nhint: run demo lab --help/);
    const u = io();
    expect(await runProgram(program, ['nope'], u.io)).toBe(2);
    expect(u.err.text()).toBe('error: unknown command "nope"\nhint: commands: count, other, lab\n');
  });

  it('prints help and the version', async () => {
    const t = io();
    expect(await runProgram(program, ['-h'], t.io)).toBe(0);
    expect(t.out.text()).toBe(programHelp(program));
    const u = io();
    expect(await runProgram(program, ['--version'], u.io)).toBe(0);
    expect(u.out.text()).toBe('1.2.3\n');
    const v = io();
    expect(await runProgram(program, ['count', '-h'], v.io)).toBe(0);
    expect(v.out.text()).toContain('Usage: demo count');
  });
});
