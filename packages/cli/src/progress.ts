import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';

// Loaded on a terminal's first bar only: a loader child or a CI log never draws one, and every
// process start pays for an import.
const loadCliProgress = () => createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;

/** A stream progress can be drawn on. */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where it is drawn (stderr, so stdout stays data). */
  stream: ProgressStream;
  /** What is in progress: `load`, `generate`. */
  label: string;
  /** Draw nothing. @default false */
  quiet?: boolean;
  /**
   * Off a terminal (CI, a log file), a plain line at most this often.
   * @default 5000
   */
  intervalMs?: number;
}

/** A live progress display: a bar on a terminal, a line every few seconds otherwise. */
export interface Progress {
  /**
   * `done` of `total` (in any unit: bytes, rows); `detail` is the human part (`1,000 rows | 45,000 rows/s`).
   * Without a total only the detail is shown.
   */
  update(done: number, total: number | undefined, detail: string): void;
  /** Remove the bar, leaving the cursor on a clean line (nothing is printed off a terminal). */
  stop(): void;
}

// Every live display, so that a signal can clear them before anything else is printed: a Ctrl-C
// must not leave bar fragments glued to the summary.
const active = new Set<Progress>();

/** Stop every live progress display (the signal handler calls this first). */
export function stopAllProgress(): void {
  for (const p of [...active]) p.stop();
}

function terminalProgress(o: ProgressOptions): Progress {
  let bar: cliProgressTypes.SingleBar | undefined;
  let line = false;
  const self: Progress = {
    update(done, total, detail) {
      active.add(self);
      if (total === undefined || total <= 0) {
        // No total (a stream): redraw one line in place.
        o.stream.write(`\r\x1b[2K${o.label} ${detail}`);
        line = true;
        return;
      }
      if (!bar) {
        const cliProgress = loadCliProgress();
        bar = new cliProgress.SingleBar(
          {
            stream: o.stream as NodeJS.WritableStream,
            format: `${o.label} {bar} {percentage}% | {detail} | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, Math.min(done, total), { detail });
      } else {
        bar.setTotal(total);
        bar.update(Math.min(done, total), { detail });
      }
    },
    stop() {
      active.delete(self);
      if (bar) bar.stop();
      else if (line) o.stream.write('\r\x1b[2K');
      bar = undefined;
      line = false;
    },
  };
  return self;
}

function lineProgress(o: ProgressOptions): Progress {
  const interval = o.intervalMs ?? 5000;
  const started = Date.now();
  let last = started;
  return {
    update(done, total, detail) {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      const pct = total ? ` ${((100 * Math.min(done, total)) / total).toFixed(1)}%` : '';
      o.stream.write(`${o.label}:${pct} ${detail}\n`);
    },
    stop() {},
  };
}

/** A progress display for `o.stream`: a bar when it is a terminal, periodic lines otherwise. */
export function createProgress(o: ProgressOptions): Progress {
  if (o.quiet) return { update() {}, stop() {} };
  return o.stream.isTTY ? terminalProgress(o) : lineProgress(o);
}
