import { createRequire } from 'node:module';
import { defineCommand, duration, flag, integer, list, option, type Program, type Progress } from '@stampede/cli';
import { contendCommand } from '@stampede/contention';
import { generateCommand } from '@stampede/datagen';
import { loadCommand } from '@stampede/loader';
import { lookupCommand, serveCommand } from '@stampede/lookup';
import { DEFAULT_DATABASE_URL, databaseOption } from '@stampede/store';
import { formatDoctorReport, runDoctor } from './doctor.js';
import type { StageName, StageRecord } from './pipeline.js';
import { formatFigure } from './report.js';
import { runPipeline, STAGES } from './run.js';

/** `stampede doctor`: the machine and the store, each check ok, warn or fail with a hint. */
export const doctorCommand = defineCommand({
  name: 'stampede doctor',
  summary: 'check Node, the machine, the SQLite module and the configured database',
  usage: 'stampede doctor [--db <url>] [--timeout <seconds>] [--json]',
  description: `Checks Node (>= 22.12), platform, cores, memory, free disk where data is written,
better-sqlite3's native module and SQLite version, and for a mysql:// store: that the
server answers, its version and flavour, local_infile, max_allowed_packet,
innodb_buffer_pool_size, and whether the user may CREATE, INSERT and SELECT.`,
  options: {
    db: databaseOption,
    timeout: option('how long to wait for a MySQL server', {
      parse: duration('s', 1),
      default: 4000,
      defaultHelp: '4 s',
      placeholder: '<seconds>',
    }),
  },
  epilog: 'Exit status: 0 when no check failed (warnings allowed), 1 when one did, 2 for bad options.',
  async run({ values, io }) {
    const report = await runDoctor({
      databaseUrl: values.db ?? DEFAULT_DATABASE_URL,
      timeoutSeconds: values.timeout / 1000,
    });
    io.stdout.write(
      values.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${formatDoctorReport(report, io.stdout.isTTY === true)}\n`,
    );
    return report.ok ? 0 : 1;
  },
});

function stageLine(r: StageRecord): string {
  const mark = r.status === 'ok' ? 'ok  ' : r.status === 'failed' ? 'FAIL' : 'skip';
  const time = r.status === 'skipped' ? '' : ` (${(r.elapsedMs / 1000).toFixed(1)} s)`;
  const rate = r.figures.find((f) => f.unit.endsWith('/s'));
  return `${mark} ${r.name.padEnd(9)}${r.summary}${rate ? ` — ${formatFigure(rate)}` : ''}${time}`;
}

const STAGE_NAMES = STAGES.map((s) => s.name);

/** `stampede run`: the main job, end to end, and its report. */
export const runCommand = defineCommand({
  name: 'stampede run',
  summary: 'the main job: doctor, generate, load, lookup, contend, then a report',
  usage: 'stampede run [--db <url>] [--count <n>] [options]',
  description: `Stages, in order (a stage whose input failed is skipped; the others still run):
  doctor     the machine and the store
  generate   --count users on worker threads into <data-dir>/users.ndjson
  load       the file into the store by --loaders stampede-load processes,
             each loading its --shard k/N of the file; rows counted in the table after
  lookup     --lookups (username, department) pairs, half present, batched into few queries
  contend    the SQLite lab: 3 processes x 2 rows, 0.3 s tasks, every strategy, verified
Then a JSON and a self-contained HTML report in --report-dir.`,
  options: {
    db: databaseOption,
    count: option('users to generate and load', { parse: integer(1), default: 100_000, placeholder: '<n>' }),
    seed: option('generator seed: the same seed gives the same users', {
      parse: integer(0),
      default: 42,
      placeholder: '<n>',
    }),
    threads: option('generator worker threads', {
      parse: integer(1, 256),
      defaultHelp: 'the cores',
      placeholder: '<n>',
    }),
    loaders: option('loader processes', {
      parse: integer(1, 64),
      defaultHelp: '1 for SQLite, the cores up to 4 for MySQL',
      placeholder: '<n>',
    }),
    lookups: option('pairs to look up', { parse: integer(1), default: 1000, placeholder: '<n>' }),
    skip: option(`comma-separated stages to leave out: ${STAGE_NAMES.join(', ')}`, {
      parse: list<StageName>(STAGE_NAMES),
      default: [] as StageName[],
      placeholder: '<stages>',
    }),
    table: option('the table to load into and look up in', { default: 'users', placeholder: '<name>' }),
    'allow-existing-rows': flag(
      'load even into a table holding rows this run did not write (their ids may be updated); without it such a table is refused',
    ),
    'data-dir': option('generated file, lab databases, logs, rejects', { default: './data', placeholder: '<dir>' }),
    'report-dir': option('where the report goes', { default: './reports', placeholder: '<dir>' }),
  },
  epilog: `With --json the report is printed as JSON instead of the summary.
Re-running is safe: loads are upserts by id, so the same seed gives the same table.
Exit status: 0 when every stage succeeded, 1 when one failed, 2 for bad options, 130/143 when stopped.`,
  onStopMessage: () =>
    'stopping: the stage in flight finishes its part, its processes are stopped, no new stage starts',
  async run({ values, io, signal, progress }) {
    let bar: Progress | undefined;
    const say = (line: string) => {
      if (!values.json) io.stdout.write(`${line}\n`);
    };
    const { report, files } = await runPipeline({
      databaseUrl: values.db ?? DEFAULT_DATABASE_URL,
      count: values.count,
      seed: values.seed,
      ...(values.threads !== undefined && { threads: values.threads }),
      ...(values.loaders !== undefined && { loaders: values.loaders }),
      lookups: values.lookups,
      skip: values.skip,
      table: values.table,
      allowExistingRows: values['allow-existing-rows'],
      dataDir: values['data-dir'],
      reportDir: values['report-dir'],
      signal,
      onStageStart: (name) => {
        bar = progress({ label: `.... ${name.padEnd(9)}`, intervalMs: 5000 });
      },
      onProgress: (_name, done, total) =>
        bar?.update(done, total, `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`),
      onStageEnd: (record) => {
        bar?.stop();
        bar = undefined;
        say(stageLine(record));
      },
    });
    if (values.json) io.stdout.write(`${JSON.stringify({ ...report, files }, null, 2)}\n`);
    else {
      say(
        `\n${report.ok ? 'all stages ok' : 'some stages failed'} in ${(report.elapsedMs / 1000).toFixed(1)} s; report: ${files.html}`,
      );
    }
    return report.ok ? 0 : 1;
  },
});

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `stampede` program: its commands, the packages' own among them, under one layer. */
export const stampede: Program = {
  name: 'stampede',
  summary: 'concurrent data work against shared databases',
  version: pkg.version,
  commands: {
    run: runCommand,
    doctor: doctorCommand,
    generate: {
      ...generateCommand,
      name: 'stampede generate',
      usage: 'stampede generate --count <n> [options]',
      errorPrefix: 'error',
    },
    load: { ...loadCommand, name: 'stampede load', usage: 'stampede load [options] FILE|-' },
    lookup: lookupCommand,
    serve: serveCommand,
    contend: { ...contendCommand, name: 'stampede contend', usage: 'stampede contend [options]' },
  } as unknown as Program['commands'],
  globalOptions: { db: databaseOption },
};
