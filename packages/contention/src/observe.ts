import { createInterface } from 'node:readline';
import type { EventLog } from './event-log.js';
import { type ChildConfig, type LabEvent, monotonicMs, parseEventLine, processLabel } from './events.js';
import type { SpawnedChild } from './spawn.js';
import type { StrategyName } from './strategies.js';

/** How one process of a strategy exited, as the parent saw it. */
export interface ChildExit {
  p: number;
  role: ChildConfig['role'];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Its whole stderr, as execa buffered it. */
  stderr: unknown;
}

/** Everything the parent saw of one strategy's processes. */
export interface Observation {
  /** Every event, `t` from the start signal, in the order they arrived. */
  events: LabEvent[];
  exits: ChildExit[];
  /** From the start signal to the last exit; 0 if the processes never all got ready. */
  wallMs: number;
  /** The process the lab killed while it held the write lock (`killHolder`), if any. */
  killed: number | undefined;
}

/** What {@link observe} needs besides the children. */
export interface ObserveOptions {
  strategy: StrategyName;
  processes: number;
  /** SIGKILL the first process seen acquiring the write lock. */
  killHolder: boolean;
  log: EventLog;
  onEvent: ((strategy: StrategyName, event: LabEvent) => void) | undefined;
}

// Holds the start barrier and the clock: events that arrive before every process is ready wait,
// since their time is measured from the start signal, which does not exist yet.
class Observer {
  readonly events: LabEvent[] = [];
  goAt: number | undefined;
  killed: number | undefined;
  private readonly pending: { at: number; raw: Omit<LabEvent, 't'> }[] = [];
  private readonly readyOrGone = new Set<number>();

  constructor(
    private readonly children: SpawnedChild[],
    private readonly o: ObserveOptions,
  ) {}

  record(raw: Omit<LabEvent, 't'>, at: number): void {
    if (this.goAt === undefined) {
      this.pending.push({ at, raw });
      return;
    }
    const event = { ...raw, t: at - this.goAt } as LabEvent;
    this.events.push(event);
    this.o.log.event(this.o.strategy, event, processLabel(event.p, this.o.processes));
    this.o.onEvent?.(this.o.strategy, event);
  }

  /** Process `p` is ready, or gone: once all are, the race starts. */
  readyOrGoneNow(p: number): void {
    this.readyOrGone.add(p);
    if (this.goAt !== undefined || this.readyOrGone.size < this.children.length) return;
    this.goAt = monotonicMs();
    for (const { child } of this.children) child.stdin?.write('go\n', () => {});
    for (const x of this.pending.splice(0)) this.record(x.raw, x.at);
  }

  line({ p, child }: SpawnedChild, line: string): void {
    const raw = parseEventLine(line);
    if (!raw) {
      if (line.trim()) this.o.log.line(`[${this.o.strategy}] ${processLabel(p, this.o.processes)} said: ${line}`);
      return;
    }
    const { at, ...rest } = raw;
    if (rest.type === 'ready') {
      this.readyOrGoneNow(p);
      return;
    }
    this.record(rest, at);
    if (this.o.killHolder && this.killed === undefined && rest.type === 'acquired') {
      this.killed = p;
      child.kill('SIGKILL');
      this.record({ type: 'killed', p, phase: 'holding' }, monotonicMs());
    }
  }

  async exit({ p, role, child }: SpawnedChild): Promise<ChildExit> {
    const result = await child;
    this.readyOrGoneNow(p);
    const signal = result.signal ?? null;
    const exitCode = result.exitCode ?? null;
    this.record({ type: 'exit', p, exitCode, signal }, monotonicMs());
    return { p, role, exitCode, signal, timedOut: result.timedOut === true, stderr: result.stderr };
  }
}

/** Follow every child's events until all have exited: start them together, log, kill a holder if asked. */
export async function observe(children: SpawnedChild[], options: ObserveOptions): Promise<Observation> {
  const observer = new Observer(children, options);
  for (const spawned of children) {
    createInterface({ input: spawned.child.stdout! }).on('line', (line) => observer.line(spawned, line));
  }
  const exits = await Promise.all(children.map((spawned) => observer.exit(spawned)));
  const endAt = monotonicMs();
  const { events, goAt, killed } = observer;
  return { events, exits, wallMs: goAt === undefined ? 0 : endAt - goAt, killed };
}
