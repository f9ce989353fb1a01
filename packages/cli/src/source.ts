import { fileURLToPath } from 'node:url';

/** How to start a script of ours in a new process or worker thread. */
export interface RunnableScript {
  /** Absolute path of the script. */
  path: string;
  /** Node flags it needs (none for built code). */
  execArgv: string[];
}

// The export condition our package.json files map to `src/*.ts`, so that code run from source
// imports its sibling packages' source too, never a dist/ that may be stale.
const SOURCE_CONDITION = '--conditions=source';

/**
 * The script `name` beside the module at `from` (pass `import.meta.url`): built code starts the
 * built `name.js`; code running from source (under vitest) starts `name.ts` through tsx, with the
 * `source` export condition, so a test's workers and child processes run the same source as the
 * test itself and never a stale build.
 */
export function siblingScript(from: string, name: string): RunnableScript {
  if (!from.endsWith('.ts')) return { path: fileURLToPath(new URL(`./${name}.js`, from)), execArgv: [] };
  // Resolved from here, not from the child's working directory, which may be anywhere.
  const tsx = import.meta.resolve('tsx');
  return { path: fileURLToPath(new URL(`./${name}.ts`, from)), execArgv: [SOURCE_CONDITION, '--import', tsx] };
}
