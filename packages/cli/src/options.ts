import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import type { ValueParser } from './values.js';

/** One option of a command, declared once: parsing, validation, default, environment and help come from it. */
export interface OptionSpec<T = unknown> {
  /** `flag` takes no value (true when given); `value` takes one. */
  kind: 'flag' | 'value';
  /** What the option does, for `--help`. */
  help: string;
  /** A one-letter alias (`-n`). */
  short?: string;
  /** The value's name in help (`<n>`, `<url>`). @default '<value>' */
  placeholder?: string;
  /** Turns the text into a value (`integer(1)`, `choice([...])`, ...). @default the text as given */
  parse?: ValueParser<T>;
  /** The value when the option is absent (and its environment variable unset). */
  default?: T;
  /** How help shows a default that is computed (`the cores`); else `default` is shown. */
  defaultHelp?: string;
  /** An environment variable that gives the value when the option is absent. */
  env?: string;
  /** The option may be repeated; the value is an array. @default false */
  multiple?: boolean;
  /** Also accept `--no-<name>`, which gives the value `false`. @default false */
  negatable?: boolean;
  /** What help says of `--no-<name>`, where "to turn off" would not say it. @default `--no-<name> to turn off` */
  negatedHelp?: string;
}

/** A command's options by long name (`'batch-rows'`). */
export type OptionSpecs = Record<string, OptionSpec>;

type Negated<S> = S extends { negatable: true } ? false : never;

type ValueOf<S extends OptionSpec> = S extends { kind: 'flag' }
  ? boolean
  : S extends { parse: ValueParser<infer T> }
    ? S extends { multiple: true }
      ? T[]
      : S extends { default: unknown }
        ? T | Negated<S>
        : T | undefined | Negated<S>
    : never;

/** The parsed values of a command's options, typed from its specs. */
export type OptionValues<S extends OptionSpecs> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** A flag option. */
export function flag(
  help: string,
  extra: { short?: string; negatable?: boolean; negatedHelp?: string } = {},
): OptionSpec<boolean> & { kind: 'flag' } {
  return { kind: 'flag', help, ...extra };
}

/** A value option with a declared spec: its value type comes from `parse`. */
export type ValueOption<T> = OptionSpec<T> & { kind: 'value'; parse: ValueParser<T> };

type TextExtra = Omit<OptionSpec<string>, 'kind' | 'help' | 'parse'>;
type ParsedExtra = Omit<OptionSpec<never>, 'kind' | 'help' | 'parse' | 'default'> & {
  parse: ValueParser<unknown>;
  default?: unknown;
};

/** An option that takes a value, as text. */
export function option<const E extends TextExtra = Record<never, never>>(
  help: string,
  extra?: E,
): ValueOption<string> & E;
/** An option that takes a value, parsed by `extra.parse`: its type is the parser's. */
export function option<const E extends ParsedExtra>(help: string, extra: E): E & { kind: 'value'; help: string };
export function option(help: string, extra: Omit<OptionSpec, 'kind' | 'help'> = {}): OptionSpec {
  return { kind: 'value', help, ...extra, parse: extra.parse ?? asText };
}

// An option without a parser takes its text as given.
const asText: ValueParser<unknown> = (raw) => raw;

/** What every command takes besides its own options. */
export const COMMON_OPTIONS = {
  json: flag('machine-readable output on stdout'),
  verbose: flag('stack traces on errors'),
  help: flag('this help', { short: 'h' }),
} as const satisfies OptionSpecs;

/** The result of {@link parseOptions}. */
export interface ParsedArgs<S extends OptionSpecs> {
  values: OptionValues<S>;
  positionals: string[];
  /** Which options were given on the command line (not defaulted, not from the environment). */
  given: Set<keyof S & string>;
}

function parseOne(spec: OptionSpec, raw: string, where: string): unknown {
  return spec.parse ? spec.parse(raw, where) : raw;
}

/**
 * Parse `argv` against `specs` (which must include {@link COMMON_OPTIONS}' names if the command
 * takes them): unknown options, a missing value and a bad value are {@link UsageError}s that name
 * the option; absent options take their environment variable, then their default.
 */
export function parseOptions<S extends OptionSpecs>(
  specs: S,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedArgs<S> {
  const config: ParseArgsOptionsConfig = {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = {
      type: spec.kind === 'flag' ? 'boolean' : 'string',
      ...(spec.short && { short: spec.short }),
      ...(spec.multiple && { multiple: true }),
    };
    if (spec.negatable) config[`no-${name}`] = { type: 'boolean' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }), { cause: error });
  }
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed.values[name];
    if (spec.negatable && parsed.values[`no-${name}`]) {
      if (raw !== undefined) throw new UsageError(`--${name} and --no-${name} contradict each other`);
      values[name] = false;
      given.add(name);
    } else if (raw !== undefined) {
      given.add(name);
      if (spec.kind === 'flag') values[name] = raw;
      else if (Array.isArray(raw)) values[name] = raw.map((r) => parseOne(spec, String(r), `--${name}`));
      else values[name] = parseOne(spec, String(raw), `--${name}`);
    } else if (spec.env && env[spec.env] !== undefined && env[spec.env] !== '') {
      const fromEnv = env[spec.env] as string;
      values[name] = spec.kind === 'flag' ? fromEnv !== '0' && fromEnv !== 'false' : parseOne(spec, fromEnv, spec.env);
      if (spec.multiple && !Array.isArray(values[name])) values[name] = [values[name]];
    } else {
      values[name] = spec.default ?? (spec.kind === 'flag' ? false : spec.multiple ? [] : undefined);
    }
  }
  return { values: values as OptionValues<S>, positionals: parsed.positionals, given: given as Set<keyof S & string> };
}

// node:util's messages are good but long-winded and name options as "--x <value>": keep their substance.
function parseArgsMessage(error: Error & { code?: string }): string {
  const m = error.message;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /Unknown option '([^']+)'/.exec(m)?.[1];
    if (option) return `unknown option ${option}`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(m)?.[1];
    if (option) return `${option} needs a value`;
    const flagged = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(m)?.[1];
    if (flagged) return `${flagged} takes no value`;
    const ambiguous = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/.exec(m)?.[1];
    if (ambiguous) return `${ambiguous} needs a value (one that starts with - is written ${ambiguous}=-1)`;
  }
  return m.split('\n')[0] ?? m;
}
