import { type RunnableScript, siblingScript } from '@stampede/cli';
import { execa, type ResultPromise } from 'execa';
import type { ChildConfig } from './events.js';
import type { ResolvedLabOptions } from './lab.js';
import type { StrategySettings } from './strategies.js';

// Typed with IPC: only the queue's children, which have it, ever use its methods.
export type Child = ResultPromise<{
  reject: false;
  buffer: { stdout: false; ipc: false };
  ipc: true;
  serialization: 'json';
}>;

/** One started process of a strategy. */
export interface SpawnedChild {
  p: number;
  role: ChildConfig['role'];
  child: Child;
}

/** How long a child may take to die of SIGTERM (on abort or the hard limit) before it gets SIGKILL. */
export const STOP_GRACE_MS = 2000;

/** How to start the child script: the built `child.js` from dist, `child.ts` through tsx from source (tests). */
export function childScript(): RunnableScript {
  return siblingScript(import.meta.url, 'child');
}

/** What each process of a strategy is told: N workers, or N producers and the queue's writer (p = N). */
export function childConfigs(o: ResolvedLabOptions, settings: StrategySettings): ChildConfig[] {
  const roles: { p: number; role: ChildConfig['role'] }[] = [];
  for (let p = 0; p < o.processes; p++) roles.push({ p, role: settings.queue ? 'producer' : 'worker' });
  if (settings.queue) roles.push({ p: o.processes, role: 'writer' });
  return roles.map(({ p, role }) => ({
    role,
    p,
    db: o.db,
    rows: o.rows,
    taskMs: o.taskDurationMs,
    busyTimeoutMs: settings.busyTimeoutMs,
    begin: settings.begin,
    readFirst: settings.readFirst,
    retry: settings.retry,
    stopOnError: settings.stopOnError,
    deadlineMs: o.deadlineMs,
    walSynchronousNormal: settings.journalMode === 'WAL',
  }));
}

// Nothing legitimate runs past the deadline by more than a busy timeout and some slack.
function hardLimitMs(o: ResolvedLabOptions): number {
  return o.deadlineMs + o.busyTimeoutMs + 30_000 + o.processes * o.rows * o.taskDurationMs;
}

/**
 * Start a process per config. Each is stopped (SIGTERM, then SIGKILL after {@link STOP_GRACE_MS})
 * when `signal` aborts, all in the same tick, or when it outlives the run's hard limit.
 */
export function spawnChildren(
  configs: ChildConfig[],
  o: ResolvedLabOptions,
  options: { ipc: boolean; signal: AbortSignal | undefined },
): SpawnedChild[] {
  const script = childScript();
  return configs.map((config) => {
    const child = execa(process.execPath, [...script.execArgv, script.path, JSON.stringify(config)], {
      reject: false,
      buffer: { stdout: false, ipc: false },
      ipc: options.ipc,
      serialization: 'json',
      timeout: hardLimitMs(o),
      killSignal: 'SIGTERM',
      forceKillAfterDelay: STOP_GRACE_MS,
      cancelSignal: options.signal,
      stdin: 'pipe',
    }) as unknown as Child;
    // A child that could not even start (spawn error) must not hold the start barrier.
    child.stdin?.on('error', () => {});
    return { p: config.p, role: config.role, child };
  });
}
