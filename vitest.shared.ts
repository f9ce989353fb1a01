import { defineConfig } from 'vitest/config';

/**
 * What every package's tests share. The `source` export condition makes `@stampede/*` imports
 * resolve to the packages' `src/*.ts`, so a test runs the source, never a stale `dist/`; the
 * workers and child processes that code starts run the source too (`siblingScript` in
 * `@stampede/cli`).
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  // `pnpm test` runs every package's tests at once on a 2-core machine, and a test that starts a
  // process or a worker from TypeScript source can wait seconds for a core (5 s timed out in CI).
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
