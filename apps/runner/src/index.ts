export { isUsageError, reportError, UsageError } from '@stampede/cli';
export { doctorCommand, runCommand, stampede } from './commands.js';
export {
  type CheckResult,
  type CheckStatus,
  type DoctorOptions,
  type DoctorReport,
  formatDoctorReport,
  runDoctor,
} from './doctor.js';
export { main } from './main.js';
