export { isUsageError, reportError, UsageError } from './cli-support.js';
export {
  type CheckResult,
  type CheckStatus,
  type DoctorOptions,
  type DoctorReport,
  formatDoctorReport,
  runDoctor,
} from './doctor.js';
