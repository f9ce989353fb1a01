// Compare two `pnpm bench` result files: every numeric figure of each benchmark, side by side,
// with the change. Usage: node scripts/bench-compare.mjs bench-results/A.json bench-results/B.json
import { readFileSync } from 'node:fs';

const [a, b] = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (!a || !b) {
  process.stderr.write('usage: node scripts/bench-compare.mjs <before.json> <after.json>\n');
  process.exit(2);
}
function flatten(value, prefix = '', out = {}) {
  if (typeof value === 'number') out[prefix] = value;
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}
const index = (run) => new Map(run.results.map((r) => [r.bench, flatten(r)]));
const before = index(a);
const after = index(b);
const rows = [];
for (const [bench, figures] of after) {
  const old = before.get(bench) ?? {};
  for (const [key, value] of Object.entries(figures)) {
    const was = old[key];
    const change = typeof was === 'number' && was !== 0 ? `${(((value - was) / was) * 100).toFixed(1)}%` : '';
    rows.push({ bench, figure: key, before: was ?? '', after: value, change });
  }
}
console.table(rows);
