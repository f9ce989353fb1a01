import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// The process tests start real node processes that hold SQLite locks for a fraction of a second.
export default mergeConfig(sharedConfig, { test: { testTimeout: 30_000, hookTimeout: 30_000 } });
