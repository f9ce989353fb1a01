import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { siblingScript } from '@stampede/cli';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

// A stop of any `stampede` command stops all its children, and leaves no orphan, no temp file and
// no half-written report: checked on real processes with real signals.
const cli = siblingScript(new URL('../src/cli.ts', import.meta.url).href, 'cli');
const tmp = makeTempDir('signals');
afterAll(() => tmp.cleanup());

/** Every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command may hold spaces and parentheses: the fields after its last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === p) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, [...cli.execArgv, cli.path, ...args], {
    cwd,
    env: { ...process.env, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function until(what: string, test: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stopAndCheck(p: ReturnType<typeof start>, signal: NodeJS.Signals, children: number) {
  const pid = (p.child as ChildProcess).pid as number;
  await until(`${children} child processes`, () => descendants(pid).length >= children);
  const before = descendants(pid);
  p.child.kill(signal);
  const code = await p.exited;
  // Nothing it started outlives it.
  await until('its children to be gone', () => before.every((c) => !alive(c)), 10_000);
  return code;
}

describe('stopping a stampede command', () => {
  it('stampede contend: SIGTERM stops every lab process, exits 143, writes no report', {
    timeout: 90_000,
  }, async () => {
    const dir = tmp.join('contend');
    mkdirSync(dir, { recursive: true });
    const p = start(
      [
        'contend',
        '--strategy',
        'immediate',
        '--processes',
        '3',
        '--rows',
        '200',
        '--task-duration',
        '0.1',
        '--db',
        'lab.sqlite',
        '--report',
        'report.html',
        '--log',
        'lab.log',
      ],
      dir,
    );
    const code = await stopAndCheck(p, 'SIGTERM', 3);
    expect(code, p.err()).toBe(143);
    expect(p.err()).toContain('interrupted');
    const files = readdirSync(dir);
    expect(files).not.toContain('report.html');
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stampede run: SIGINT during the load stops the loader processes, exits 130', { timeout: 120_000 }, async () => {
    const dir = tmp.join('run');
    mkdirSync(dir, { recursive: true });
    const p = start(['run', '--count', '400000', '--skip', 'contend,lookup', '--loaders', '2'], dir);
    await until('the load stage', () => /ok {3}generate/.test(p.out()), 90_000);
    const code = await stopAndCheck(p, 'SIGINT', 2);
    expect(code, p.err()).toBe(130);
    expect(p.out()).not.toMatch(/^ok {3}load/m);
    const reports = (() => {
      try {
        return readdirSync(`${dir}/reports`);
      } catch {
        return [];
      }
    })();
    expect(reports.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
