import type { Readable } from 'node:stream';
import { EXIT, UsageError } from './errors.js';
import { formatHelp, type HelpText } from './help.js';
import { COMMON_OPTIONS, type OptionSpecs, type OptionValues, parseOptions } from './options.js';
import { createProgress, type Progress, type ProgressOptions } from './progress.js';
import { reportError } from './report.js';
import { type StopSignal, signalStatus, stopScope } from './signals.js';

/** Where a command writes: a stream, or anything with `write` (a test's collector). */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** Streams, environment and switches a caller (the `stampede` runner, a test) gives a command. */
export interface CommandIo {
  /** @default process.stdin */
  stdin?: Readable & { isTTY?: boolean };
  /** @default process.stdout */
  stdout?: OutStream;
  /** @default process.stderr */
  stderr?: OutStream;
  /** Environment variables options fall back to. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The caller's stop: reason `'SIGINT'`/`'SIGTERM'` stops the command as that signal would (exit 130/143); another reason stops its work and its own status stands. */
  signal?: AbortSignal;
  /** Listen to the process's SIGINT and SIGTERM while the command runs. @default true */
  handleSignals?: boolean;
  /** Directory relative paths are resolved against. @default process.cwd() */
  cwd?: string;
}

/** {@link CommandIo} with everything filled in. */
export type ResolvedIo = Required<Omit<CommandIo, 'signal' | 'handleSignals'>>;

/** What a command's `run` gets. */
export interface CommandContext<S extends OptionSpecs> {
  /** Every option's value: given, from its environment variable, or its default. */
  values: OptionValues<S & typeof COMMON_OPTIONS>;
  positionals: string[];
  /** The options given on the command line. */
  given: ReadonlySet<string>;
  io: ResolvedIo;
  /** Aborted on SIGINT/SIGTERM (or the caller's signal): finish what is in flight and return. */
  signal: AbortSignal;
  /** The signal that stopped the command, if one did. */
  stoppedBy(): StopSignal | undefined;
  /** A progress display on stderr (a bar on a terminal, a line every few seconds otherwise). */
  progress(options: Omit<ProgressOptions, 'stream'>): Progress;
}

/** A command: its help, its options declared once, and what it does. */
export interface Command<S extends OptionSpecs = OptionSpecs> extends HelpText {
  /** Its own options; `--json`, `--verbose` and `-h/--help` are added. */
  options: S;
  /** How many positional arguments it takes. @default { max: 0 } */
  positionals?: { min?: number; max?: number; name?: string };
  /** What an error line starts with. @default 'error' */
  errorPrefix?: string;
  /** Said on stderr at the first SIGINT/SIGTERM (what happens next). */
  onStopMessage?: (signal: StopSignal) => string;
  /** Do the work; resolve to the exit status. Throw a StampedeError for a failure with a hint. */
  run(ctx: CommandContext<S>): Promise<number>;
}

/** Declare a command (types its `run` from its options). */
export function defineCommand<S extends OptionSpecs>(command: Command<S>): Command<S> {
  return command;
}

/** A command's options with the common ones every command takes. */
export function allOptions<S extends OptionSpecs>(command: Command<S>): S & typeof COMMON_OPTIONS {
  return { ...command.options, ...COMMON_OPTIONS };
}

/** A command's `--help` text. */
export function commandHelp(command: Command<OptionSpecs>): string {
  return formatHelp(command, allOptions(command));
}

function resolveIo(io: CommandIo): ResolvedIo {
  return {
    stdin: io.stdin ?? process.stdin,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
}

function checkPositionals(command: Command<OptionSpecs>, positionals: string[]): void {
  const { min = 0, max = 0, name = 'argument' } = command.positionals ?? {};
  if (positionals.length < min) throw new UsageError(`missing ${name}`);
  if (positionals.length > max) {
    throw new UsageError(
      max === 0
        ? `unexpected argument ${JSON.stringify(positionals[0])}`
        : `at most ${max} ${name}, got ${positionals.length}`,
    );
  }
}

/**
 * Run `command` with `argv` (without node and the script). Never throws: parses and validates the
 * options, prints help, handles signals and maps errors to one line, a hint and the exit status
 * (0 ok, 1 failure, 2 usage or bad input, 130/143 stopped by SIGINT/SIGTERM).
 */
export async function runCommand<S extends OptionSpecs>(
  command: Command<S>,
  argv: readonly string[],
  io: CommandIo = {},
): Promise<number> {
  const resolved = resolveIo(io);
  // Known before parsing, so that a parse error is reported as asked.
  let verbose = argv.includes('--verbose');
  let json = argv.includes('--json');
  const scope = stopScope({
    handleSignals: io.handleSignals ?? true,
    signal: io.signal,
    onStop: (sig) => {
      const message = command.onStopMessage?.(sig);
      if (message) resolved.stderr.write(`\n${sig}: ${message}\n`);
    },
  });
  const displays: Progress[] = [];
  try {
    const specs = allOptions(command);
    const { values, positionals, given } = parseOptions(specs, argv, resolved.env);
    verbose = values.verbose;
    json = values.json;
    if (values.help) {
      resolved.stdout.write(formatHelp(command, specs));
      return EXIT.ok;
    }
    checkPositionals(command, positionals);
    const status = await command.run({
      values,
      positionals,
      given,
      io: resolved,
      signal: scope.signal,
      stoppedBy: scope.stoppedBy,
      progress: (options) => {
        // Progress is stderr's, so --json (stdout's) leaves it on: a parent reading a child's JSON
        // summary can still follow it. STAMPEDE_PROGRESS_MS sets how often a line is printed off a
        // terminal (a parent that charts its children asks for more).
        const every = Number(resolved.env.STAMPEDE_PROGRESS_MS);
        const p = createProgress({
          ...options,
          ...(Number.isFinite(every) && every > 0 && { intervalMs: every }),
          stream: resolved.stderr,
          quiet: options.quiet === true,
        });
        displays.push(p);
        return p;
      },
    });
    const stopped = scope.stoppedBy();
    return stopped && status !== EXIT.usage ? signalStatus(stopped) : status;
  } catch (error) {
    for (const d of displays) d.stop();
    const stopped = scope.stoppedBy();
    if (stopped && (error as Error | undefined)?.name === 'AbortError') {
      resolved.stderr.write(`stopped by ${stopped}\n`);
      return signalStatus(stopped);
    }
    const status = reportError(error, {
      stderr: resolved.stderr,
      stdout: resolved.stdout,
      verbose,
      json,
      prefix: command.errorPrefix ?? 'error',
    });
    return stopped && status === EXIT.failure ? signalStatus(stopped) : status;
  } finally {
    for (const d of displays) d.stop();
    scope.dispose();
  }
}
