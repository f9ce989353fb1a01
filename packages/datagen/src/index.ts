export { COMPRESSIONS, type Compression, isCompression } from './compression.js';
export type { DirectFileStats } from './direct-file.js';
export { DatagenError, type DatagenErrorCode, isDatagenError } from './errors.js';
export { csvField, FORMATS, type Format, formatFromPath, isFormat } from './format.js';
export {
  type GenerateOptions,
  type GenerateProgress,
  type GenerateSummary,
  generateRecords,
  generateUsers,
} from './generate.js';
export { asciiSlug, isLocale, LOCALES, type Locale } from './locales.js';
export { CHUNK_SIZE, REFERENCE_DATE } from './records.js';
export { type DatagenCliIo, generateCommand, runDatagenCli } from './run-cli.js';
export { AUTO_DIRECT } from './target.js';
