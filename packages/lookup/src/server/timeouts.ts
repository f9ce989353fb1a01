import type { FastifyServerOptions } from 'fastify';
import { LookupError } from '../errors.js';

/** How long the service waits on a client, in milliseconds. Each must be a positive integer. */
export interface TimeoutOptions {
  /**
   * Most time to receive a whole request, headers and body, from its first byte; past it the
   * client gets a 408 and the connection is closed. The time a handler takes does not count.
   * A client trickling its body a byte at a time (slowloris) is cut here.
   * @default 10000
   */
  requestTimeout?: number;
  /**
   * Most time to receive a request's headers. Not more than `requestTimeout`.
   * @default 5000, or `requestTimeout` when that is shorter
   */
  headersTimeout?: number;
  /**
   * An open connection with no bytes either way for this long is destroyed: a client that
   * stops reading its response, or a socket left open. It includes a handler's own time, so
   * keep it above the slowest query.
   * @default 60000
   */
  connectionTimeout?: number;
  /**
   * How long an idle keep-alive connection stays open for the client's next request.
   * @default 5000
   */
  keepAliveTimeout?: number;
}

/** The defaults of {@link TimeoutOptions}. */
export const DEFAULT_TIMEOUTS = {
  requestTimeout: 10_000,
  headersTimeout: 5_000,
  connectionTimeout: 60_000,
  keepAliveTimeout: 5_000,
} as const;

// Node's timers take at most 2^31-1 ms; a day is already far past any sensible wait.
const MAX_TIMEOUT = 86_400_000;

function positive(name: keyof TimeoutOptions, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT) {
    throw new LookupError(
      'INVALID_OPTION',
      name,
      `${name} must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * The fastify and Node server options for `options`, defaults applied.
 * @throws LookupError `INVALID_OPTION` for a value out of range, or headers allowed longer than the request.
 */
export function serverTimeouts(options: TimeoutOptions): Required<
  Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout'>
> & {
  http: { headersTimeout: number; connectionsCheckingInterval: number };
} {
  const requestTimeout = positive('requestTimeout', options.requestTimeout, DEFAULT_TIMEOUTS.requestTimeout);
  const headersTimeout = positive(
    'headersTimeout',
    options.headersTimeout,
    Math.min(DEFAULT_TIMEOUTS.headersTimeout, requestTimeout),
  );
  if (headersTimeout > requestTimeout) {
    throw new LookupError(
      'INVALID_OPTION',
      'headersTimeout',
      `headersTimeout (${headersTimeout} ms) must not be longer than requestTimeout (${requestTimeout} ms)`,
    );
  }
  return {
    requestTimeout,
    connectionTimeout: positive('connectionTimeout', options.connectionTimeout, DEFAULT_TIMEOUTS.connectionTimeout),
    keepAliveTimeout: positive('keepAliveTimeout', options.keepAliveTimeout, DEFAULT_TIMEOUTS.keepAliveTimeout),
    http: {
      headersTimeout,
      // Node enforces the request and headers timeouts only when it sweeps its connections,
      // every 30 s by default: a 10 s limit would hold for up to 40 s. Sweep at a fraction of
      // the shorter limit, at most once a second.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
  };
}
