import { readFileSync, writeFileSync } from 'node:fs';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type LabResult, runContendCli } from '../src/index.js';

const tmp = makeTempDir('contend-cli');
afterAll(() => tmp.cleanup());

function capture(isTTY = false) {
  let text = '';
  return {
    isTTY,
    write: (s: string) => (text += s),
    get text() {
      return text;
    },
  };
}

describe('stampede-contend', () => {
  it('--json prints the verified result and writes the HTML report and the log', async () => {
    const out = capture();
    const err = capture();
    const status = await runContendCli(
      [
        '--strategy',
        'immediate',
        '--processes',
        '2',
        '--rows',
        '2',
        '--task-duration',
        '0.05',
        '--db',
        'lab.sqlite',
        '--report',
        'r/report.html',
        '--log',
        'run.log',
        '--json',
      ],
      { stdout: out, stderr: err, cwd: tmp.path },
    );
    expect(status).toBe(0);
    const result = JSON.parse(out.text) as LabResult;
    expect(result.results[0]).toMatchObject({ strategy: 'immediate', rows: { planned: 4, committed: 4, lost: 0 } });
    expect(result.options.db).toBe(tmp.join('lab.sqlite'));
    const html = readFileSync(tmp.join('r/report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('immediate');
    const log = readFileSync(tmp.join('run.log'), 'utf8');
    expect(log).toMatch(/\[immediate\] p0 committed t=[\d.]+ms row=0/);
    expect(log).toMatch(/\[immediate\] end: 4\/4 rows, lost 0/);
    expect(err.text).toContain('contend: immediate: running');
  });

  it('prints the text report with a timeline, and reports a lab that cannot create its database', async () => {
    const out = capture();
    expect(
      await runContendCli(
        ['--strategy', 'naive', '--processes', '2', '--rows', '1', '--db', 'x.sqlite', '--no-report', '--no-log'],
        {
          stdout: out,
          stderr: capture(),
          cwd: tmp.path,
        },
      ),
    ).toBe(0);
    expect(out.text).toContain('SQLite contention lab: 2 processes x 1 rows');
    expect(out.text).toMatch(/\n {6}p0 \|/);

    const err = capture();
    const status = await runContendCli(
      ['--strategy', 'naive', '--db', '/proc/no/such/lab.sqlite', '--no-report', '--no-log'],
      {
        stdout: capture(),
        stderr: err,
      },
    );
    expect(status).toBe(1);
    expect(err.text).toMatch(
      /^error: Cannot create the lab database \/proc\/no\/such\/lab\.sqlite: .*\nhint: pass --db with a path in a writable directory\n$/,
    );
  });

  it('stops its children and exits 130 when interrupted', async () => {
    const controller = new AbortController();
    const err = capture();
    const running = runContendCli(
      [
        '--strategy',
        'immediate',
        '--processes',
        '2',
        '--rows',
        '50',
        '--task-duration',
        '0.2',
        '--db',
        'int.sqlite',
        '--no-report',
        '--no-log',
      ],
      { stdout: capture(), stderr: err, cwd: tmp.path, signal: controller.signal },
    );
    setTimeout(() => controller.abort('SIGINT'), 800);
    expect(await running).toBe(130);
    expect(err.text).toContain('interrupted');
  });

  it("refuses a --db that is not the lab's with exit 2 and a hint, and leaves it as it was", async () => {
    const path = tmp.join('notes.txt');
    writeFileSync(path, 'my notes, not a database\n');
    const err = capture();
    const status = await runContendCli(['--strategy', 'immediate', '--db', path, '--no-report', '--no-log'], {
      stdout: capture(),
      stderr: err,
    });
    expect(status).toBe(2);
    expect(err.text).toMatch(
      /^error: .*not a SQLite database.*\nhint: pass another --db; the lab only replaces a database it created\n$/,
    );
    expect(readFileSync(path, 'utf8')).toBe('my notes, not a database\n');
  });
});
