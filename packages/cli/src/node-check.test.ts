import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isNodeSupported, nodeVersionMessage } from './node-check.js';
import { siblingScript } from './source.js';

describe('the Node version guard', () => {
  it('compares versions numerically', () => {
    expect(isNodeSupported('v24.1.0')).toBe(true);
    expect(isNodeSupported('22.12.0')).toBe(true);
    expect(isNodeSupported('22.9.0')).toBe(false);
    expect(isNodeSupported('v20.20.2')).toBe(false);
    expect(isNodeSupported('100.0.0')).toBe(true);
  });

  it('says what it found, what it needs, and this very command to paste, on Node 24', () => {
    expect(nodeVersionMessage('stampede', 'v20.20.2', 'apps/runner/dist/cli.js', ['run', '--db', "it's"])).toBe(
      'stampede: Node.js v20.20.2 is too old; Stampede needs Node.js >= 22.12 (24 LTS recommended).\n' +
        `Run it with Node 24 from the npm registry: npx -y -p node@24 node apps/runner/dist/cli.js run --db 'it'\\''s'\n`,
    );
  });

  // The machine's own Node is 20 where Stampede is developed: the guard must itself run there.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    if (!existsSync(p)) return false;
    const v = spawnSync(p, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
    return v !== '' && !isNodeSupported(v);
  });
  it.skipIf(!oldNode)(`exits 2 with one line on an old Node (${oldNode ?? 'none on this machine'})`, () => {
    const s = siblingScript(new URL('../test/fixtures/parent.ts', import.meta.url).href, 'guarded-bin');
    const run = spawnSync(oldNode as string, [...s.execArgv, s.path, 'doctor'], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^stampede: Node\.js v\d+\.\d+\.\d+ is too old; Stampede needs Node\.js >= 22\.12/);
    expect(run.stderr.trim().split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/npx -y -p node@24 node \S*guarded-bin\.ts doctor\n$/);
  });
});
