import { defineConfig } from 'vitest/config';

// The process tests start real node processes that hold SQLite locks for a fraction of a second.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
