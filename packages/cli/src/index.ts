export {
  allOptions,
  type Command,
  type CommandContext,
  type CommandIo,
  commandHelp,
  defineCommand,
  type OutStream,
  type ResolvedIo,
  runCommand,
} from './command.js';
export {
  EXIT,
  type ExitStatus,
  exitCodeOf,
  isStampedeError,
  isUsageError,
  StampedeError,
  type StampedeErrorOptions,
  UsageError,
} from './errors.js';
export { formatHelp, type HelpText } from './help.js';
export { checkNode, isNodeSupported, nodeVersionMessage, REQUIRED_NODE } from './node-check.js';
export {
  COMMON_OPTIONS,
  flag,
  type OptionSpec,
  type OptionSpecs,
  type OptionValues,
  option,
  type ParsedArgs,
  parseOptions,
  type ValueOption,
} from './options.js';
export { peakRssMb } from './peak-rss.js';
export { type Program, programHelp, runProgram } from './program.js';
export {
  createProgress,
  type Progress,
  type ProgressOptions,
  type ProgressStream,
  stopAllProgress,
} from './progress.js';
export { type ReportErrorOptions, reportError, statusOf } from './report.js';
export { type StopScope, type StopScopeOptions, type StopSignal, signalStatus, stopScope } from './signals.js';
export { type RunnableScript, siblingScript } from './source.js';
export { choice, duration, integer, list, type Shard, shard, text, type ValueParser } from './values.js';
