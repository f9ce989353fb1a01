import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Ports held for this process until {@link PortReservation.release}. */
export interface PortReservation {
  ports: number[];
  /** Give the ports back (idempotent). */
  release(): void;
}

/** Options of {@link reservePorts}. */
export interface ReservePortsOptions {
  /**
   * The ports to choose from, both ends included.
   * @default the 12,000 ports just below the kernel's ephemeral range (and below 49152)
   */
  range?: [number, number];
}

const LOCK_DIR = join(tmpdir(), 'stampede-ports');

/** Below the kernel's ephemeral range, so no client socket and no `listen(0)` lands on them. */
function candidateRange(): [number, number] {
  let ephemeralStart = 32768;
  try {
    ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // not Linux: the IANA dynamic range starts at 49152, the usual default of others
  }
  const high = Math.min(ephemeralStart, 49152) - 1;
  return [Math.max(1024, high - 12_000), high];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lock file of `port` for this process; a lock whose process is gone is taken over. */
function lock(port: number): boolean {
  const file = join(LOCK_DIR, String(port));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(file, 'utf8'));
      } catch {
        // released meanwhile: try again
      }
      if (Number.isInteger(owner) && alive(owner)) return false;
      try {
        unlinkSync(file);
      } catch {
        // another process took the stale lock over first
      }
    }
  }
  return false;
}

function unlock(port: number): void {
  try {
    unlinkSync(join(LOCK_DIR, String(port)));
  } catch {
    // already gone
  }
}

/** Whether nobody listens on `port` at 127.0.0.1 right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * Reserve `count` free ports for servers that this process starts and may restart later. A port
 * from `listen(0)` is free only at that instant: two test files starting clusters side by side
 * drew the same one, and a node restarted on its old port found another cluster's node there. So
 * the ports come from below the ephemeral range, and each is held by a lock file
 * (`$TMPDIR/stampede-ports/<port>`, with our pid) until released; a dead process's locks are taken over.
 */
export async function reservePorts(count: number, options: ReservePortsOptions = {}): Promise<PortReservation> {
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o1777 });
  const [low, high] = options.range ?? candidateRange();
  const span = high - low + 1;
  const ports: number[] = [];
  let port = low + Math.floor(Math.random() * span);
  for (let tried = 0; ports.length < count && tried < span; tried++, port = low + ((port - low + 1) % span)) {
    if (!lock(port)) continue;
    if (await bindable(port)) ports.push(port);
    else unlock(port);
  }
  const release = () => {
    for (const p of ports.splice(0)) unlock(p);
  };
  if (ports.length < count) {
    release();
    throw new Error(`could not reserve ${count} free ports in ${low}-${high}`);
  }
  return { ports: [...ports], release };
}
