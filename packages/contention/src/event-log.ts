import { createWriteStream, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir } from './ensure-dir.js';
import { LabSetupError } from './errors.js';
import type { LabEvent } from './events.js';
import type { StrategyName } from './strategies.js';

/** The run's log file: a line per event, appended, as the classroom program logged to a file. */
export class EventLog {
  private readonly stream: WriteStream | undefined;
  constructor(path: string | undefined) {
    if (path) {
      try {
        ensureDir(dirname(path));
      } catch (error) {
        throw new LabSetupError(`Cannot create the log file's directory for ${path}`, {
          path,
          hint: 'pass --log with a path in a writable directory',
          cause: error,
        });
      }
      this.stream = createWriteStream(path, { flags: 'a' });
      // A write error (disk full) must not crash the lab; the run's results do not depend on the log.
      this.stream.on('error', () => {});
    }
  }
  line(text: string): void {
    this.stream?.write(`${new Date().toISOString()} ${text}\n`);
  }
  event(strategy: StrategyName, e: LabEvent, label: string): void {
    if (!this.stream) return;
    const parts = [`[${strategy}]`, label, e.type, `t=${e.t.toFixed(3)}ms`];
    if (e.seq !== undefined) parts.push(`row=${e.seq}`);
    if (e.attempt !== undefined) parts.push(`attempt=${e.attempt}`);
    if (e.count !== undefined) parts.push(`rows=${e.count}`);
    if (e.waitedMs !== undefined) parts.push(`waited=${e.waitedMs.toFixed(1)}ms`);
    if (e.heldMs !== undefined) parts.push(`held=${e.heldMs.toFixed(1)}ms`);
    if (e.backoffMs !== undefined) parts.push(`backoff=${e.backoffMs.toFixed(1)}ms`);
    if (e.phase) parts.push(`phase=${e.phase}`);
    if (e.code) parts.push(`code=${e.code}`);
    if (e.exitCode !== undefined) parts.push(`exit=${e.exitCode}`);
    if (e.signal) parts.push(`signal=${e.signal}`);
    if (e.message) parts.push(`"${e.message}"`);
    this.line(parts.join(' '));
  }
  async close(): Promise<void> {
    const s = this.stream;
    if (!s) return;
    await new Promise<void>((done) => s.end(done));
  }
}
