import { describe, expect, it } from 'vitest';
import { isLookupError } from '../errors.js';
import { DEFAULT_TIMEOUTS, serverTimeouts } from './timeouts.js';

describe('serverTimeouts', () => {
  it('applies the documented defaults, and Node sweeps often enough to enforce them', () => {
    const t = serverTimeouts({});
    expect(t.requestTimeout).toBe(10_000);
    expect(t.http.headersTimeout).toBe(5_000);
    expect(t.connectionTimeout).toBe(60_000);
    expect(t.keepAliveTimeout).toBe(5_000);
    expect(DEFAULT_TIMEOUTS).toEqual({
      requestTimeout: 10_000,
      headersTimeout: 5_000,
      connectionTimeout: 60_000,
      keepAliveTimeout: 5_000,
    });
    expect(t.http.connectionsCheckingInterval).toBeLessThanOrEqual(1000);
  });

  it('a request timeout shorter than the headers default shortens the headers timeout', () => {
    const t = serverTimeouts({ requestTimeout: 2000 });
    expect(t.http.headersTimeout).toBe(2000);
    expect(t.http.connectionsCheckingInterval).toBe(500);
  });

  it('refuses values out of range, and headers allowed longer than the request, naming the option', () => {
    const cases: [Parameters<typeof serverTimeouts>[0], string][] = [
      [{ requestTimeout: 0 }, 'requestTimeout'],
      [{ keepAliveTimeout: -5 }, 'keepAliveTimeout'],
      [{ connectionTimeout: 1.5 }, 'connectionTimeout'],
      [{ headersTimeout: Number.NaN }, 'headersTimeout'],
      [{ requestTimeout: 1000, headersTimeout: 2000 }, 'headersTimeout'],
    ];
    for (const [options, field] of cases) {
      let error: unknown;
      try {
        serverTimeouts(options);
      } catch (e) {
        error = e;
      }
      expect(isLookupError(error), field).toBe(true);
      if (!isLookupError(error)) continue;
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.field).toBe(field);
      expect(error.exitCode).toBe(2);
      expect(error.message).toContain(field);
    }
  });
});
