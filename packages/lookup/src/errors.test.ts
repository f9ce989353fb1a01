import { EXIT, exitCodeOf, isStampedeError } from '@stampede/cli/errors';
import { describe, expect, it } from 'vitest';
import { isLookupError, LookupError } from './errors.js';

describe('LookupError', () => {
  it('is a StampedeError with exit status 2, keeping code, field, hint and cause', () => {
    const cause = new Error('bad base64');
    const e = new LookupError('INVALID_CURSOR', 'cursor', 'cursor is not one this service returned', {
      cause,
      hint: 'start again without it',
    });
    expect(isStampedeError(e)).toBe(true);
    expect(isLookupError(e)).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LookupError');
    expect(e.code).toBe('INVALID_CURSOR');
    expect(e.field).toBe('cursor');
    expect(e.hint).toBe('start again without it');
    expect(e.cause).toBe(cause);
    expect(e.exitCode).toBe(EXIT.usage);
    expect(exitCodeOf(e)).toBe(2);
  });

  it('the guard refuses other errors', () => {
    expect(isLookupError(new Error('x'))).toBe(false);
    expect(isLookupError({ code: 'INVALID_CURSOR', field: 'cursor' })).toBe(false);
  });
});
