import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedConfig, { test: { testTimeout: 30_000, hookTimeout: 30_000 } });
