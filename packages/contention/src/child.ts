// One process of the lab. Spawned by the parent with a ChildConfig as its only argument; reports
// every step as an NDJSON line on stdout, written synchronously so that a kill loses nothing
// already reported. Waits for a line on stdin before starting, so every process races from the
// same instant however long each took to start.
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { getEachMessage, sendMessage } from 'execa';
import { type ChildConfig, monotonicMs, type RawEvent } from './events.js';

const NAMES = ['Ace', 'Cooper', 'Bella', 'Milo', 'Luna', 'Rocky', 'Daisy', 'Max', 'Coco', 'Bear'];
const BREEDS = ['Dog', 'Cat', 'Rabbit', 'Hamster', 'Parrot', 'Turtle'];

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
let goAt = monotonicMs();

function emit(event: Omit<RawEvent, 'at' | 'p'>): void {
  // Not fs.writeSync(1): the pipe is non-blocking and a full pipe would throw EAGAIN. process.stdout
  // blocks on pipes on Linux, so an event is out of the process before the next statement runs.
  process.stdout.write(`${JSON.stringify({ ...event, p: config.p, at: monotonicMs() })}\n`);
}

// Blocks the whole process, as the classroom's time.sleep did: the transaction stays open meanwhile.
const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

function sqliteCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'ERROR';
}

function isBusy(code: string): boolean {
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function pet(p: number, seq: number): { name: string; breed: string } {
  return { name: `${NAMES[(p * 7 + seq) % NAMES.length]}-${p}-${seq}`, breed: BREEDS[(p + seq) % BREEDS.length]! };
}

function open(): Database.Database {
  const db = new Database(config.db, { timeout: config.busyTimeoutMs });
  if (config.walSynchronousNormal) db.pragma('synchronous = NORMAL');
  return db;
}

async function waitForGo(): Promise<void> {
  emit({ type: 'ready' });
  await once(process.stdin, 'data');
  process.stdin.destroy();
  goAt = monotonicMs();
}

function backoffFor(attempt: number): number {
  // Full jitter: processes that collided once do not collide again in step.
  return Math.random() * Math.min(500, 10 * 2 ** (attempt - 1));
}

async function runWorker(): Promise<number> {
  const db = open();
  const insert = db.prepare('INSERT INTO pets (process, seq, name, breed, created_at) VALUES (?, ?, ?, ?, ?)');
  const read = db.prepare('SELECT COUNT(*) AS n FROM pets');
  await waitForGo();
  let failures = 0;
  for (let seq = 0; seq < config.rows; seq++) {
    const { name, breed } = pet(config.p, seq);
    for (let attempt = 1; ; attempt++) {
      emit({ type: 'attempt', seq, attempt });
      let phase = 'begin';
      // Busy waits are measured from the start of the statement that waited.
      let phaseStart = monotonicMs();
      let acquiredAt = 0;
      const enter = (next: string): void => {
        phase = next;
        phaseStart = monotonicMs();
      };
      try {
        if (config.begin === 'immediate') {
          emit({ type: 'waiting', seq });
          enter('begin');
          db.exec('BEGIN IMMEDIATE');
          acquiredAt = monotonicMs();
          emit({ type: 'acquired', seq, waitedMs: acquiredAt - phaseStart });
          if (config.readFirst) {
            enter('read');
            read.get();
          }
          enter('write');
          insert.run(config.p, seq, name, breed, new Date().toISOString());
          sleepSync(config.taskMs);
        } else {
          db.exec('BEGIN');
          if (config.readFirst) {
            enter('read');
            read.get();
            sleepSync(config.taskMs);
          }
          emit({ type: 'waiting', seq });
          enter('write');
          insert.run(config.p, seq, name, breed, new Date().toISOString());
          acquiredAt = monotonicMs();
          emit({ type: 'acquired', seq, waitedMs: acquiredAt - phaseStart });
          if (!config.readFirst) sleepSync(config.taskMs);
        }
        enter('commit');
        db.exec('COMMIT');
        emit({ type: 'committed', seq, heldMs: monotonicMs() - acquiredAt });
        break;
      } catch (error) {
        const waitedMs = monotonicMs() - phaseStart;
        const code = sqliteCode(error);
        const message = error instanceof Error ? error.message : String(error);
        if (db.inTransaction) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // The transaction may already be gone; the next BEGIN will tell.
          }
        }
        if (isBusy(code)) emit({ type: 'busy', seq, attempt, code, message, phase, waitedMs });
        const backoffMs = backoffFor(attempt);
        if (config.retry && isBusy(code) && monotonicMs() + backoffMs - goAt < config.deadlineMs) {
          emit({ type: 'retry', seq, attempt, backoffMs });
          sleepSync(backoffMs);
          continue;
        }
        emit({ type: 'failed', seq, attempt, code, message, phase });
        failures++;
        if (config.stopOnError) {
          db.close();
          // The classroom program died on its uncaught exception; so does this process.
          return 1;
        }
        break;
      }
    }
  }
  db.close();
  emit({ type: 'done' });
  return failures > 0 ? 1 : 0;
}

interface RowMessage {
  type: 'row';
  p: number;
  seq: number;
  name: string;
  breed: string;
}

// Rows a producer may have in flight before it waits for acknowledgements: enough for the writer
// to batch, few enough that a dead writer strands little.
const WINDOW = 256;
const BURST = 64;

async function runProducer(): Promise<number> {
  await waitForGo();
  const sentAt = new Map<number, number>();
  let failures = 0;
  let stopped = false;
  let notify = (): void => {};
  const changed = () =>
    new Promise<void>((resolve) => {
      notify = resolve;
    });
  const listening = (async () => {
    for await (const message of getEachMessage()) {
      const m = message as { type?: string; seqs?: number[]; code?: string; message?: string };
      // A reply without row numbers concerns every row in flight (the writer died).
      for (const seq of m.seqs ?? [...sentAt.keys()]) {
        const at = sentAt.get(seq);
        if (at === undefined) continue;
        sentAt.delete(seq);
        if (m.type === 'ack') {
          emit({ type: 'committed', seq, waitedMs: monotonicMs() - at });
        } else {
          emit({ type: 'failed', seq, attempt: 1, code: m.code ?? 'WRITER_DIED', message: m.message, phase: 'queue' });
          failures++;
        }
      }
      if (m.type !== 'ack') stopped = true;
      notify();
    }
  })();
  // Rows ready together travel together: one IPC message per burst, not per row (with a task
  // duration above 0 every row is its own burst).
  let outbox: RowMessage[] = [];
  const post = async () => {
    if (outbox.length === 0) return;
    const rows = outbox;
    outbox = [];
    await sendMessage({ type: 'rows', rows: rows.map((r) => ({ ...r })) });
  };
  for (let seq = 0; seq < config.rows && !stopped; seq++) {
    emit({ type: 'attempt', seq, attempt: 1 });
    // The task is done outside any lock: only the writer ever holds it, and only to write.
    sleepSync(config.taskMs);
    emit({ type: 'waiting', seq });
    sentAt.set(seq, monotonicMs());
    outbox.push({ type: 'row', p: config.p, seq, ...pet(config.p, seq) });
    if (config.taskMs > 0 || outbox.length >= BURST || seq === config.rows - 1) await post();
    while (sentAt.size >= WINDOW && !stopped) {
      await post();
      await changed();
    }
  }
  await post();
  while (sentAt.size > 0 && !stopped) await changed();
  emit({ type: 'done' });
  // Closing the channel ends the listener above, and lets the process exit.
  process.disconnect?.();
  await listening;
  return failures > 0 ? 1 : 0;
}

async function runWriter(): Promise<number> {
  const db = open();
  const insert = db.prepare('INSERT INTO pets (process, seq, name, breed, created_at) VALUES (?, ?, ?, ?, ?)');
  await waitForGo();
  const pending: RowMessage[] = [];
  let scheduled = false;
  let failures = 0;
  const flush = async (): Promise<void> => {
    scheduled = false;
    const batch = pending.splice(0);
    if (batch.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      emit({ type: 'waiting', count: batch.length });
      const waitStart = monotonicMs();
      try {
        db.exec('BEGIN IMMEDIATE');
        const acquiredAt = monotonicMs();
        emit({ type: 'acquired', waitedMs: acquiredAt - waitStart, count: batch.length });
        const createdAt = new Date().toISOString();
        for (const r of batch) insert.run(r.p, r.seq, r.name, r.breed, createdAt);
        db.exec('COMMIT');
        emit({ type: 'committed', count: batch.length, heldMs: monotonicMs() - acquiredAt });
        // One acknowledgement per batch; the parent hands each producer its own rows.
        await sendMessage({ type: 'acks', rows: batch.map((r) => [r.p, r.seq]) });
        return;
      } catch (error) {
        const code = sqliteCode(error);
        const message = error instanceof Error ? error.message : String(error);
        if (db.inTransaction) db.exec('ROLLBACK');
        if (isBusy(code)) emit({ type: 'busy', attempt, code, message, waitedMs: monotonicMs() - waitStart });
        const backoffMs = backoffFor(attempt);
        if (isBusy(code) && monotonicMs() + backoffMs - goAt < config.deadlineMs) {
          emit({ type: 'retry', attempt, backoffMs });
          sleepSync(backoffMs);
          continue;
        }
        emit({ type: 'failed', code, message, phase: 'commit', count: batch.length });
        failures++;
        await sendMessage({ type: 'nacks', rows: batch.map((r) => [r.p, r.seq]), code, message });
        return;
      }
    }
  };
  let chain = Promise.resolve();
  for await (const message of getEachMessage()) {
    const m = message as { type?: string };
    if (m.type === 'done') break;
    if (m.type !== 'rows') continue;
    pending.push(...(message as unknown as { rows: RowMessage[] }).rows);
    // Rows that arrive together are written together: one transaction per burst, not per row.
    if (!scheduled) {
      scheduled = true;
      setImmediate(() => {
        chain = chain.then(flush);
      });
    }
  }
  // A burst that arrived with 'done' is still scheduled: let it run, then write what is left.
  await new Promise((resolve) => setImmediate(resolve));
  await chain;
  await flush();
  db.close();
  emit({ type: 'done' });
  return failures > 0 ? 1 : 0;
}

const roles = { worker: runWorker, producer: runProducer, writer: runWriter } as const;
roles[config.role]().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    emit({ type: 'failed', code: sqliteCode(error), message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
  },
);
