import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// Tests here start real node processes; under `pnpm test` every package's tests run at once
// on a small machine, and a process start alone can take seconds there (5 s timed out in CI).
export default mergeConfig(sharedConfig, { test: { testTimeout: 30_000, hookTimeout: 30_000 } });
