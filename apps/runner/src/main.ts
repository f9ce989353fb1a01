import { type CommandIo, runProgram } from '@stampede/cli';
import { stampede } from './commands.js';

/** Run the `stampede` CLI with `argv` (without node and script); resolves to the exit status. */
export function main(argv: string[], io: CommandIo = {}): Promise<number> {
  return runProgram(stampede, argv, io);
}
