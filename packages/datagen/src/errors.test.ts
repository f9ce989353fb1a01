import { isStampedeError } from '@stampede/cli/errors';
import { describe, expect, it } from 'vitest';
import { DatagenError, isDatagenError } from './errors.js';

describe('DatagenError', () => {
  it('has the one error shape: code, message, hint, exit code, cause, option', () => {
    const cause = new Error('EACCES');
    const e = new DatagenError('OUTPUT_UNWRITABLE', 'out x cannot be written', {
      option: 'out',
      hint: 'pick a path',
      cause,
    });
    expect(isStampedeError(e)).toBe(true);
    expect(isDatagenError(e)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ name: 'DatagenError', code: 'OUTPUT_UNWRITABLE', option: 'out', hint: 'pick a path' });
    expect(e.message).toBe('out x cannot be written');
    expect(e.cause).toBe(cause);
    expect(isDatagenError(new Error('x'))).toBe(false);
  });

  it.each([
    ['INVALID_OPTION', 2, true],
    ['OUTPUT_UNWRITABLE', 2, true],
    ['ABORTED', 130, false],
    ['GENERATION_FAILED', 1, false],
    ['WRITE_FAILED', 1, false],
  ] as const)('%s exits %i (usage: %s)', (code, exitCode, isUsage) => {
    const e = new DatagenError(code, 'm');
    expect(e.exitCode).toBe(exitCode);
    expect(e.isUsage).toBe(isUsage);
    expect(e.hint).toBe('');
    expect(e.option).toBeUndefined();
  });
});
