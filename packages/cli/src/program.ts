import { type Command, type CommandIo, runCommand } from './command.js';
import { EXIT, UsageError } from './errors.js';
import type { OptionSpec, OptionSpecs } from './options.js';
import { reportError } from './report.js';

/** A command-line program of several commands (`stampede run`, `stampede load`, ...). */
export interface Program {
  /** `stampede`. */
  name: string;
  /** One line: what it does. */
  summary: string;
  /** Printed by `--version`. */
  version: string;
  /** Its commands by name, in help order. */
  commands: Record<string, Command<OptionSpecs>>;
  /**
   * Options that may stand before the command (`stampede --db URL doctor`), by name: each is handed
   * to a command that declares the very same option (the same spec object), and refused for any
   * other. `--json` and `--verbose` are always global.
   */
  globalOptions: Record<string, OptionSpec>;
  /** Help text after the command list. */
  epilog?: string;
}

function globalNames(program: Program): string[] {
  return Object.keys(program.globalOptions);
}

/** The program's `--help`: its commands with their summaries, and its global options. */
export function programHelp(program: Program): string {
  const width = Math.max(...Object.keys(program.commands).map((n) => n.length)) + 2;
  const lines = [
    `${program.name} — ${program.summary}`,
    '',
    `Usage: ${program.name} [global options] <command> [options]`,
    '',
    'Commands:',
    ...Object.entries(program.commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    '',
    `Global options (before or after the command): ${[...globalNames(program).map((o) => `--${o}`), '--json', '--verbose'].join(', ')}`,
    `  -h, --help     help; ${program.name} <command> --help for a command's options`,
    '  -v, --version  print the version',
  ];
  if (program.epilog) lines.push('', program.epilog.trimEnd());
  return `${lines.join('\n')}\n`;
}

// The options before the command, as [name, value?] pairs, and where the command is.
function splitGlobal(program: Program, argv: readonly string[]) {
  const before: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('-') || arg === '-') break;
    before.push(arg);
    const name = arg.replace(/^--?/, '').split('=')[0] as string;
    if (program.globalOptions[name]?.kind === 'value' && !arg.includes('=')) {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      before.push(value);
      i++;
    }
  }
  return { before, command: argv[i], rest: argv.slice(i + 1) };
}

function checkGlobals(program: Program, name: string, command: Command<OptionSpecs>, before: string[]): void {
  for (const arg of before) {
    if (!arg.startsWith('-')) continue;
    const option = arg.replace(/^--?/, '').split('=')[0] as string;
    if (option === 'json' || option === 'verbose') continue;
    const spec = program.globalOptions[option];
    if (!spec) {
      throw new UsageError(`unknown global option ${arg.split('=')[0]}`, {
        hint: `global options are ${globalNames(program)
          .map((o) => `--${o}`)
          .join(', ')}, --json, --verbose; others go after the command`,
      });
    }
    if (command.options[option] !== spec) {
      throw new UsageError(`--${option} does not apply to ${program.name} ${name}`, {
        hint: `run ${program.name} ${name} --help for its options`,
      });
    }
  }
}

/**
 * Run `program` with `argv`: options before the command are handed to it (so `stampede --db URL
 * doctor` is `stampede doctor --db URL`). Never throws; resolves to the exit status.
 */
export async function runProgram(program: Program, argv: readonly string[], io: CommandIo = {}): Promise<number> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  try {
    const { before, command: name, rest } = splitGlobal(program, argv);
    const asks = (flag: string) => before.includes(flag) || name === flag;
    if (asks('--version') || asks('-v')) {
      stdout.write(`${program.version}\n`);
      return EXIT.ok;
    }
    if (name === undefined || name === 'help' || asks('--help') || asks('-h')) {
      stdout.write(programHelp(program));
      return name === undefined && !asks('--help') && !asks('-h') ? EXIT.usage : EXIT.ok;
    }
    const command = program.commands[name];
    if (!command) {
      throw new UsageError(`unknown command ${JSON.stringify(name)}`, {
        hint: `commands: ${Object.keys(program.commands).join(', ')}`,
      });
    }
    checkGlobals(program, name, command, before);
    return await runCommand(command, [...before, ...rest], io);
  } catch (error) {
    return reportError(error, { stderr, stdout, verbose: argv.includes('--verbose'), json: argv.includes('--json') });
  }
}
