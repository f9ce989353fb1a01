/** A strategy of the matrix, or one variant of the upgrade-deadlock scenario. */
export type StrategyName =
  | 'naive'
  | 'busy-timeout'
  | 'wal'
  | 'immediate'
  | 'queue'
  | 'upgrade-deferred'
  | 'upgrade-immediate';

/** What `--strategy` accepts: a strategy, `upgrade-deadlock` (both variants) or `all` (the matrix). */
export type StrategyChoice = StrategyName | 'upgrade-deadlock' | 'all';

/** The matrix that `all` runs, in order from the classroom settings to the safest. */
export const MATRIX: readonly StrategyName[] = ['naive', 'busy-timeout', 'wal', 'immediate', 'queue'];

/** Every accepted `--strategy` value. */
export const STRATEGY_CHOICES: readonly StrategyChoice[] = [...MATRIX, 'upgrade-deadlock', 'all'];

/** How one strategy opens its connections and runs its transactions. */
export interface StrategySettings {
  /** `DELETE` is SQLite's rollback journal (the classroom default); `WAL` lets readers run beside one writer. */
  journalMode: 'DELETE' | 'WAL';
  /** Busy timeout of each connection, in milliseconds. */
  busyTimeoutMs: number;
  /** `deferred` takes the write lock at the first write; `immediate` takes it at BEGIN. */
  begin: 'deferred' | 'immediate';
  /** Read before writing in the same transaction (the upgrade-deadlock scenario). */
  readFirst: boolean;
  /** Retry a BUSY transaction with jittered backoff until the deadline. */
  retry: boolean;
  /** Stop the process at its first error, as the classroom program's uncaught exception did. */
  stopOnError: boolean;
  /** Children hand their rows over IPC to a single writer process. */
  queue: boolean;
  /** Whether the strategy claims to lose nothing (a loss then fails the run). */
  safe: boolean;
  /** One line for the report. */
  description: string;
}

// What every strategy starts from: WAL, the lab's busy timeout, deferred transactions, no retries.
// Each strategy below says only how it differs, so that two strategies cannot drift apart by a copy.
type Difference = Partial<Omit<StrategySettings, 'description'>> & { description: string };

// The strategies that claim to lose nothing: the write lock taken at BEGIN, BUSY retried until the deadline.
const RETRYING = { begin: 'immediate', retry: true, safe: true } as const;

function difference(strategy: StrategyName, busyTimeoutMs: number): Difference {
  const waitUp = `wait up to ${busyTimeoutMs} ms for the lock`;
  switch (strategy) {
    case 'naive':
      return {
        journalMode: 'DELETE',
        busyTimeoutMs: 0,
        stopOnError: true,
        description: 'the classroom settings: rollback journal, no busy timeout, deferred transactions, crash on error',
      };
    case 'busy-timeout':
      return { journalMode: 'DELETE', description: `rollback journal, deferred transactions, ${waitUp}` };
    case 'wal':
      return { description: `WAL journal, deferred transactions, ${waitUp}` };
    case 'immediate':
      return {
        ...RETRYING,
        description: `WAL, BEGIN IMMEDIATE, ${busyTimeoutMs} ms busy timeout, jittered retries until the deadline`,
      };
    case 'queue':
      return {
        ...RETRYING,
        queue: true,
        description: 'children send rows over IPC to one writer process, which commits them in batches',
      };
    case 'upgrade-deferred':
      return {
        readFirst: true,
        description: `read then write in a deferred transaction: BUSY at once despite a ${busyTimeoutMs} ms busy timeout`,
      };
    case 'upgrade-immediate':
      return {
        ...RETRYING,
        readFirst: true,
        description: 'read then write after BEGIN IMMEDIATE: the busy timeout works, retries until the deadline',
      };
  }
}

/** The settings of `strategy` given the lab's busy timeout. */
export function strategySettings(strategy: StrategyName, busyTimeoutMs: number): StrategySettings {
  return {
    journalMode: 'WAL',
    busyTimeoutMs,
    begin: 'deferred',
    readFirst: false,
    retry: false,
    stopOnError: false,
    queue: false,
    safe: false,
    ...difference(strategy, busyTimeoutMs),
  };
}

/** The strategies a `--strategy` choice runs, in order. */
export function expandChoice(choice: StrategyChoice): StrategyName[] {
  if (choice === 'all') return [...MATRIX];
  if (choice === 'upgrade-deadlock') return ['upgrade-deferred', 'upgrade-immediate'];
  return [choice];
}
