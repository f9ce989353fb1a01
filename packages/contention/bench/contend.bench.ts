// 8 processes x 1,000 rows, task duration 0: rows/s of each safe strategy beside one process
// inserting all 8,000 rows alone, in the same run, on the same machine. Every run is verified.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LabOptions, runLab, type StrategyResult } from '../dist/index.js';

const processes = Number(process.env.BENCH_PROCESSES ?? 8);
const rows = Number(process.env.BENCH_ROWS ?? 1000);
const dir = join(tmpdir(), `stampede-contend-bench-${process.pid}`);
const db = join(dir, 'bench.sqlite');

async function one(label: string, options: LabOptions): Promise<{ label: string; r: StrategyResult }> {
  const lab = await runLab({ db, taskDurationMs: 0, ...options });
  const r = lab.results[0]!;
  if (!r.ok || r.rows.lost > 0) throw new Error(`${label}: verification failed: ${r.notes.join('; ')}`);
  return { label, r };
}

try {
  const runs = [
    await one(`one process, ${processes * rows} rows (reference)`, {
      strategy: 'immediate',
      processes: 1,
      rows: processes * rows,
    }),
    await one(`wal (deferred + busy timeout), ${processes}x${rows}`, { strategy: 'wal', processes, rows }),
    await one(`immediate, ${processes}x${rows}`, { strategy: 'immediate', processes, rows }),
    await one(`queue, ${processes}x${rows}`, { strategy: 'queue', processes, rows }),
  ];
  const base = runs[0]!.r.rowsPerSecond;
  const header = ['run', 'rows', 'lost', 'busy', 'retries', 'p99 wait ms', 'wall s', 'rows/s', 'ratio'];
  const table = runs.map(({ label, r }) => [
    label,
    String(r.rows.committed),
    String(r.rows.lost),
    String(r.busyErrors),
    String(r.retries),
    r.wait.p99Ms.toFixed(1),
    (r.wallMs / 1000).toFixed(2),
    r.rowsPerSecond.toFixed(0),
    `${(r.rowsPerSecond / base).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(fmt(row));
  console.log(
    JSON.stringify({
      bench: 'contention',
      processes,
      rows,
      results: runs.map(({ r }) => ({
        strategy: r.strategy,
        processes: r.processes,
        rows: r.rows.committed,
        lost: r.rows.lost,
        wallMs: Math.round(r.wallMs),
        rowsPerSecond: Math.round(r.rowsPerSecond),
        ratio: Number((r.rowsPerSecond / base).toFixed(3)),
      })),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
