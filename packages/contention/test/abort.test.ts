import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { runLab, type StrategyName } from '../src/index.js';

const tmp = makeTempDir('contend-abort');
afterAll(() => tmp.cleanup());

// This process's children that run the lab's child script, from /proc (the lab does not hand out pids).
function labChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === process.pid && /child\.[jt]s\0/.test(cmdline)) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    expect((error as { code?: string }).code).toBe('ESRCH');
    return false;
  }
}

function openFiles(): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return [];
    }
  });
}

describe.skipIf(process.platform !== 'linux')('aborting the lab', () => {
  for (const strategy of ['immediate', 'queue'] satisfies StrategyName[]) {
    it(`${strategy}: stops every child mid-strategy, awaits them and closes the log`, async () => {
      const controller = new AbortController();
      const log = tmp.join(`${strategy}.log`);
      let pids: number[] = [];
      const running = runLab({
        db: tmp.join(`${strategy}.sqlite`),
        strategy,
        processes: 3,
        rows: 100,
        taskDurationMs: 200,
        logFile: log,
        signal: controller.signal,
        onEvent: (_s, e) => {
          // Mid-strategy: every process is running and a row is in.
          if (e.type === 'committed' && pids.length === 0) {
            pids = labChildren();
            controller.abort('SIGTERM');
          }
        },
      });
      await expect(running).rejects.toBe('SIGTERM');
      expect(pids).toHaveLength(strategy === 'queue' ? 4 : 3);
      for (const pid of pids) expect(alive(pid)).toBe(false);
      expect(labChildren()).toEqual([]);
      expect(openFiles()).not.toContain(log);
      expect(readFileSync(log, 'utf8')).toContain(`[${strategy}] start:`);
    });
  }

  it('starts nothing once aborted', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const started: StrategyName[] = [];
    const running = runLab({
      db: tmp.join('never.sqlite'),
      strategy: 'all',
      signal: controller.signal,
      onStrategyStart: (s) => started.push(s),
    });
    await expect(running).rejects.toBe('SIGINT');
    expect(started).toEqual([]);
    expect(labChildren()).toEqual([]);
  });
});
