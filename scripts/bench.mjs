// `pnpm bench`: every package's benchmark, one at a time, as turbo runs them; each prints its
// table and one JSON line ({"bench": ...}). Those lines are collected into
// bench-results/<time>.json, so that two runs can be compared (node scripts/bench-compare.mjs A B).
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';

const started = new Date();
const results = [];
const turbo = spawn('pnpm', ['exec', 'turbo', 'run', 'bench', '--concurrency=1', ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
});
let pending = '';
turbo.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString();
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    // turbo prefixes each line with "<package>:bench: "
    const m = /^(?:(\S+):bench: )?(\{.*"bench".*\})\s*$/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
    if (!m) continue;
    try {
      results.push({ package: m[1], ...JSON.parse(m[2]) });
    } catch {
      // not a result line
    }
  }
});
const status = await new Promise((resolve) => turbo.once('exit', (code) => resolve(code ?? 1)));
mkdirSync('bench-results', { recursive: true });
const file = `bench-results/${started.toISOString().replace(/[:.]/g, '-')}.json`;
const machine = {
  node: process.versions.node,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  loadavg: loadavg(),
};
writeFileSync(file, `${JSON.stringify({ startedAt: started.toISOString(), machine, status, results }, null, 2)}\n`);
process.stdout.write(`\n${results.length} benchmark results written to ${file}\n`);
process.exitCode = status;
