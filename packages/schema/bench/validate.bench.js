// Validator throughput on one core: ours beside a JSON round-trip of the same records
// (a floor every loader pays anyway), in the same run.
import { performance } from 'node:perf_hooks';
import { DEPARTMENTS, validateUser } from '../dist/index.js';

const n = Number(process.argv[2] ?? 1_000_000);
const records = Array.from({ length: 10_000 }, (_, i) => ({
  id: i + 1,
  username: `user.name.${i.toString(36)}`,
  email: `user.name.${i.toString(36)}@example.com`,
  firstName: i % 3 ? 'Ada' : 'Łukasz',
  lastName: i % 5 ? 'Lovelace' : '佐藤 😀',
  department: DEPARTMENTS[i % DEPARTMENTS.length],
  jobTitle: 'Senior Analyst',
  birthDate: '1990-02-28',
  city: i % 2 ? 'London' : 'München',
  country: 'United Kingdom',
  createdAt: '2025-12-31T23:59:59.999Z',
}));

function time(fn) {
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) ok += fn(records[i % records.length]);
  return { ms: performance.now() - t0, ok };
}
time((r) => (validateUser(r).ok ? 1 : 0)); // warm-up
const ours = time((r) => (validateUser(r).ok ? 1 : 0));
const json = time((r) => (JSON.parse(JSON.stringify(r)).id > 0 ? 1 : 0));
if (ours.ok !== n) throw new Error(`validator refused ${n - ours.ok} good records`);
const rate = (r) => Math.round((n / r.ms) * 1000);
const rows = [
  { what: 'validateUser (ours)', 'records/s': rate(ours) },
  { what: 'JSON stringify+parse (reference)', 'records/s': rate(json) },
];
console.table(rows);
console.log(
  `ratio ours/reference: ${(rate(ours) / rate(json)).toFixed(2)}x; target >= 1,000,000 records/s: ${rate(ours) >= 1e6 ? 'met' : 'NOT met'}`,
);
console.log(
  JSON.stringify({ bench: 'schema.validate', records: n, oursPerSec: rate(ours), referencePerSec: rate(json) }),
);
