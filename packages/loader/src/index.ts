export { loaderCliPath, loaderNodeFlags } from './cli-path.js';
export {
  ClusterUnavailableError,
  InputError,
  isClusterUnavailableError,
  isInputError,
  isTooManyRejectsError,
  TooManyRejectsError,
} from './errors.js';
export {
  type ByteRange,
  formatFromPath,
  type InputFormat,
  type InputInfo,
  inspectInput,
  parseRawRecord,
  type RecordReader,
  type RecordReaderOptions,
  readRecords,
  type SourceRecord,
  splitAtLines,
} from './input.js';
export {
  type LoadMethod,
  type LoadOptions,
  type LoadProgress,
  type LoadSummary,
  loadFile,
  type Shard,
} from './load.js';
export type { RejectRecord } from './rejects.js';
export { formatSummary, LOAD_CLI_HELP, type LoadCliIo, loadCommand, runLoadCli } from './run-cli.js';
export { createZstdFramesDecoder, decodeZstdFrames, zstdFrameLength } from './zstd-frames.js';
