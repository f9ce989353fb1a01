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
