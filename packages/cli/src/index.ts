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
export { type RunnableScript, siblingScript } from './source.js';
