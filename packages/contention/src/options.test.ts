import { isStampedeError } from '@stampede/cli/errors';
import { describe, expect, it } from 'vitest';
import { parseContendArgs, runContendCli } from './contend-cli.js';
import { ContendUsageError, isContendUsageError, isLabSetupError, LabSetupError } from './errors.js';
import { resolveLabOptions } from './lab.js';
import { expandChoice, strategySettings } from './strategies.js';

function capture() {
  let text = '';
  return {
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}

describe('resolveLabOptions', () => {
  it('fills in the classroom defaults and sizes the deadline to the work', () => {
    const o = resolveLabOptions({ db: '/tmp/x.sqlite' });
    expect(o).toMatchObject({
      processes: 3,
      rows: 2,
      taskDurationMs: 0,
      strategy: 'all',
      busyTimeoutMs: 5000,
      killHolder: false,
    });
    expect(o.deadlineMs).toBe(10_000);
    expect(resolveLabOptions({ processes: 8, rows: 10, taskDurationMs: 1000 }).deadlineMs).toBe(2 * 80 * 1000 + 5000);
  });

  it('refuses bad counts and unknown strategies', () => {
    expect(() => resolveLabOptions({ processes: 0 })).toThrow(ContendUsageError);
    expect(() => resolveLabOptions({ rows: 1.5 })).toThrow(/whole number/);
    expect(() => resolveLabOptions({ taskDurationMs: -1 })).toThrow(/at least 0/);
    expect(() => resolveLabOptions({ strategy: 'yolo' as never })).toThrow(/Unknown strategy "yolo"/);
  });
});

describe('strategies', () => {
  it('naive is the classroom: rollback journal, no busy timeout, deferred, crash on error', () => {
    expect(strategySettings('naive', 5000)).toMatchObject({
      journalMode: 'DELETE',
      busyTimeoutMs: 0,
      begin: 'deferred',
      stopOnError: true,
      safe: false,
    });
    expect(strategySettings('immediate', 2000)).toMatchObject({
      journalMode: 'WAL',
      busyTimeoutMs: 2000,
      begin: 'immediate',
      retry: true,
      safe: true,
    });
  });

  it('expands all and upgrade-deadlock', () => {
    expect(expandChoice('all')).toEqual(['naive', 'busy-timeout', 'wal', 'immediate', 'queue']);
    expect(expandChoice('upgrade-deadlock')).toEqual(['upgrade-deferred', 'upgrade-immediate']);
    expect(expandChoice('wal')).toEqual(['wal']);
  });
});

describe('parseContendArgs', () => {
  it('reads seconds as milliseconds and resolves paths against cwd', () => {
    const args = parseContendArgs(
      [
        '--processes',
        '8',
        '--rows',
        '5',
        '--task-duration',
        '0.25',
        '--timeout',
        '2',
        '--db',
        'sqlite:lab.db',
        '--strategy',
        'queue',
        '--no-report',
        '--log',
        'x.log',
      ],
      '/work/here',
    );
    expect(args.options).toMatchObject({
      processes: 8,
      rows: 5,
      taskDurationMs: 250,
      busyTimeoutMs: 2000,
      db: '/work/here/lab.db',
      strategy: 'queue',
      logFile: '/work/here/x.log',
    });
    expect(args.report).toBeUndefined();
  });

  it('names the option that is wrong', () => {
    expect(() => parseContendArgs(['--processes', 'many'])).toThrow(
      '--processes must be a whole number of at least 1, got "many"',
    );
    expect(() => parseContendArgs(['--task-duration', '-3'])).toThrow(/--task-duration/);
    expect(() => parseContendArgs(['--strategy', 'fast'])).toThrow(/--strategy must be one of .*, got "fast"/);
    expect(() => parseContendArgs(['--db', 'mysql://root:pw@localhost/test'])).toThrow(/MySQL URL/);
    expect(() => parseContendArgs(['--bogus'])).toThrow(ContendUsageError);
  });
});

describe('runContendCli', () => {
  it('prints help and exits 0', async () => {
    const out = capture();
    expect(await runContendCli(['--help'], { stdout: out, stderr: capture() })).toBe(0);
    expect(out.text).toContain('--task-duration');
    expect(out.text).toContain('--kill-holder');
  });

  it('exits 2 with one line and a hint on bad input, without a stack', async () => {
    const err = capture();
    expect(await runContendCli(['--rows', '0'], { stdout: capture(), stderr: err })).toBe(2);
    expect(err.text).toBe('error: --rows must be a whole number of at least 1, got "0"\nhint: for example --rows 1\n');
  });
});

describe('errors', () => {
  it('carry codes, hints and causes', () => {
    const cause = Object.assign(new Error('unable to open'), { code: 'SQLITE_CANTOPEN' });
    const e = new LabSetupError('Cannot create', { path: '/x', hint: 'fix it', cause });
    expect(e).toMatchObject({
      name: 'LabSetupError',
      code: 'LAB_SETUP',
      driverCode: 'SQLITE_CANTOPEN',
      path: '/x',
      cause,
    });
    expect(isLabSetupError(e)).toBe(true);
    expect(isContendUsageError(e)).toBe(false);
    expect(isContendUsageError(new ContendUsageError('bad', 'hint'))).toBe(true);
  });

  it('are Stampede errors: one shape, exit 2 for bad input and 1 for a lab that cannot run', () => {
    const usage = new ContendUsageError('bad', 'pass --rows 3', { cause: 'x' });
    expect(isStampedeError(usage)).toBe(true);
    expect(usage).toMatchObject({ code: 'CONTEND_USAGE', hint: 'pass --rows 3', exitCode: 2, cause: 'x' });
    const setup = new LabSetupError('Cannot create', { path: '/x', hint: 'fix it' });
    expect(isStampedeError(setup)).toBe(true);
    expect(setup).toMatchObject({ name: 'LabSetupError', exitCode: 1, hint: 'fix it', path: '/x' });
  });
});
