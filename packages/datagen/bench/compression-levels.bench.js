// What each compression level costs on our own chunks: 1M users rendered once (NDJSON, in
// chunks of 10,000, as a run hands them to its workers), then every chunk compressed on this
// one thread with gzip levels 1-6 and zstd levels 1-3, three rounds, the fastest of each kept.
// Chose the levels in src/compression.ts. Usage: node bench/compression-levels.bench.js [count]
import { Writable } from 'node:stream';
import zlib from 'node:zlib';

const count = Number(process.argv[2] ?? 1_000_000);
const { generateUsers } = await import('../dist/index.js');
const chunks = [];
await generateUsers({
  count,
  threads: 2,
  out: new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  }),
});
const raw = chunks.reduce((n, c) => n + c.length, 0);
const cases = [];
for (let level = 1; level <= 6; level++) cases.push([`gzip ${level}`, (c) => zlib.gzipSync(c, { level })]);
for (const level of [1, 2, 3]) {
  const params = { [zlib.constants.ZSTD_c_compressionLevel]: level };
  cases.push([`zstd ${level}`, (c) => zlib.zstdCompressSync(c, { params, pledgedSrcSize: c.length })]);
}
const best = new Map();
for (let round = 0; round < 3; round++) {
  for (const [name, compress] of cases) {
    const t0 = performance.now();
    let out = 0;
    for (const c of chunks) out += compress(c).length;
    const ms = performance.now() - t0;
    if (!best.has(name) || best.get(name).ms > ms) best.set(name, { ms, out });
  }
}
const gzip6 = best.get('gzip 6').ms;
console.table(
  [...best].map(([what, { ms, out }]) => ({
    what,
    's (1 thread)': (ms / 1000).toFixed(2),
    'users/s': Math.round(count / (ms / 1000)),
    'vs gzip 6': `${(gzip6 / ms).toFixed(2)}x`,
    MB: (out / 1e6).toFixed(1),
    'of raw': `${((out / raw) * 100).toFixed(1)}%`,
  })),
);
console.log(
  JSON.stringify({
    bench: 'datagen.compression-levels',
    users: count,
    rawBytes: raw,
    levels: Object.fromEntries([...best].map(([what, { ms, out }]) => [what, { ms: Math.round(ms), bytes: out }])),
  }),
);
