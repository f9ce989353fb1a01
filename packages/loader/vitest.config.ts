import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// Tests here start real node processes, and every loadFile starts a load thread (from TypeScript
// source under the tests); under `pnpm test` every package's tests run at once on two cores, where
// a test of five loads took over 30 s.
export default mergeConfig(sharedConfig, { test: { testTimeout: 90_000, hookTimeout: 60_000 } });
