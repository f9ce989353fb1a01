import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

function offenders(dirs: string[], pattern: RegExp): string[] {
  return dirs
    .flatMap((d) => sources(join(root, d)))
    .filter((f) => pattern.test(readFileSync(f, 'utf8')))
    .map((f) => relative(root, f));
}

const packageSources = readdirSync(join(root, 'packages'))
  .filter((p) => p !== 'cli' && p !== 'test-utils')
  .map((p) => `packages/${p}/src`)
  .concat(['apps/runner/src']);

// The rules the structure issue set, checked so that they cannot quietly come undone.
describe('the layout', () => {
  it('parses command lines, draws progress bars and handles signals in @stampede/cli only', () => {
    expect(offenders(packageSources, /\bparseArgs\b|from 'node:util'.*parseArgs/)).toEqual([]);
    expect(offenders(packageSources, /from 'cli-progress'/)).toEqual([]);
    expect(offenders(packageSources, /process\.(on|once)\('SIG(INT|TERM)'/)).toEqual([]);
  });

  it('keeps driver knowledge inside @stampede/store', () => {
    expect(offenders(['packages/loader/src', 'packages/lookup/src'], /errno|instanceof Mysql|\.pool\./)).toEqual([]);
  });

  it('starts every bin with the Node version guard, before importing anything else', () => {
    const bins = [
      'packages/loader/src/cli.ts',
      'packages/datagen/src/cli.ts',
      'packages/lookup/src/cli.ts',
      'packages/contention/src/cli.ts',
      'apps/runner/src/cli.ts',
    ];
    for (const bin of bins) {
      const code = readFileSync(join(root, bin), 'utf8');
      const imports = code.split('\n').filter((l) => /^import /.test(l));
      expect(imports, bin).toEqual(["import { checkNode } from '@stampede/cli/node-check';"]);
      expect(code.indexOf('checkNode('), bin).toBeLessThan(code.indexOf('await import('));
    }
  });
});
