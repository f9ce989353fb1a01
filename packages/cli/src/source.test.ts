import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { siblingScript } from './source.js';

describe('siblingScript', () => {
  it('starts the built .js beside built code, with no flags', () => {
    expect(siblingScript('file:///x/dist/lab.js', 'child')).toEqual({ path: '/x/dist/child.js', execArgv: [] });
  });

  it('runs TypeScript source in a child process and a worker, importing our packages from source', async () => {
    // The test itself runs from source; so must what it starts.
    expect(import.meta.url.endsWith('.ts')).toBe(true);
    const s = siblingScript(new URL('../test/fixtures/parent.ts', import.meta.url).href, 'child');
    expect(s.path).toMatch(/test\/fixtures\/child\.ts$/);
    // From another working directory: the flags must not depend on where the child runs.
    const run = spawnSync(process.execPath, [...s.execArgv, s.path], { cwd: tmpdir(), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const fromChild = JSON.parse(run.stdout) as { x: number; where: string };
    expect(fromChild.x).toBe(2);
    expect(fromChild.where).toMatch(/\/packages\/cli\/src\/errors\.ts$/);
    const fromWorker = await new Promise<string>((resolve, reject) => {
      const w = new Worker(s.path, { execArgv: s.execArgv });
      w.once('message', (m: string) => {
        void w.terminate();
        resolve(m);
      });
      w.once('error', reject);
    });
    expect(JSON.parse(fromWorker)).toEqual(fromChild);
  });
});

describe('the source condition', () => {
  it('resolves our packages to their source inside tests', async () => {
    const viaPackage = await import('@stampede/cli/errors');
    const viaFile = await import('./errors.js');
    // One module, not a dist/ copy beside the source: a stale build could not be tested by mistake.
    expect(viaPackage.StampedeError).toBe(viaFile.StampedeError);
  });
});
