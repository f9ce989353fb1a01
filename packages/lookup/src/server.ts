import { createHash, timingSafeEqual } from 'node:crypto';
import swagger from '@fastify/swagger';
import { DEPARTMENTS } from '@stampede/schema';
import { isDatabaseError, type UserStore } from '@stampede/store';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { isLookupError } from './errors.js';
import { createLookup, type Lookup, type LookupOptions, type LookupPair, MAX_PAGE_LIMIT } from './lookup.js';
import { createMetrics, type ServiceMetrics } from './metrics.js';

/** Most pairs one `POST /users/lookup` may carry. */
export const MAX_PAIRS = 1000;
/** Longest username or department the service accepts (longer is a 400, never a query). */
export const MAX_FIELD_LENGTH = 256;

/** Options of {@link buildServer}. */
export interface ServerOptions {
  /** The users table to serve. The server does not close it: the caller owns it. */
  store: UserStore;
  /** Options of the lookup the server creates over `store`. */
  lookup?: Omit<LookupOptions, 'onQuery'>;
  /**
   * A bearer token every request must carry (`Authorization: Bearer <key>`), except
   * `/healthz` and `/readyz`. Unset: no authentication.
   * @default undefined
   */
  apiKey?: string;
  /**
   * Largest request body in bytes; larger is a 413.
   * @default 1048576
   */
  bodyLimit?: number;
  /**
   * A pino logger for request logs, or `false` for none.
   * @default false
   */
  logger?: Logger | false;
  /**
   * Register Node's default process metrics (event loop lag, heap, GC) in `/metrics`.
   * @default true
   */
  defaultMetrics?: boolean;
}

/** The fastify instance with the lookup and metrics it serves. */
export type LookupServer = FastifyInstance & { lookup: Lookup; metrics: ServiceMetrics };

const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    email: { type: 'string' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    department: { type: 'string', enum: [...DEPARTMENTS] },
    jobTitle: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
    city: { type: 'string' },
    country: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'username', 'email', 'department'],
} as const;

const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
  },
  required: ['statusCode', 'error', 'message'],
} as const;

const field = { type: 'string', minLength: 1, maxLength: MAX_FIELD_LENGTH } as const;
const pairSchema = {
  type: 'object',
  properties: { username: field, department: field },
  required: ['username', 'department'],
  additionalProperties: false,
} as const;
const resultSchema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    department: { type: 'string' },
    found: { type: 'boolean' },
    user: { anyOf: [userSchema, { type: 'null' }] },
  },
  required: ['username', 'department', 'found', 'user'],
} as const;

const PUBLIC_PATHS = new Set(['/healthz', '/readyz']);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function body(statusCode: number, message: string, fieldName?: string) {
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Error',
    message,
    ...(fieldName !== undefined && { field: fieldName }),
  };
}

/** The field a validation error is about: `query.username`, `body.pairs[3].department`... */
function validationField(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'input');
  const path = (first?.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  const missing = (first?.params as { missingProperty?: string; additionalProperty?: string } | undefined) ?? {};
  const leaf = missing.missingProperty ?? missing.additionalProperty;
  return `${where}${path}${leaf ? `.${leaf}` : ''}`;
}

/**
 * The HTTP service over `options.store`: lookups, department pages, health, metrics and
 * the OpenAPI document. Call `listen` on the result; `close` drains in-flight requests.
 */
export async function buildServer(options: ServerOptions): Promise<LookupServer> {
  const { store } = options;
  const metrics = createMetrics(store, { defaultMetrics: options.defaultMetrics ?? true });
  const lookup = createLookup(store, {
    batchWindow: 'turn',
    ...options.lookup,
    onQuery: (e) => metrics.observeQuery(e),
  });
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A long path parameter is a 414 from the router, never a query.
    routerOptions: { maxParamLength: 100 },
    // The router's own errors (a bad URL, a too-long parameter) in the service's error shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const status = error.statusCode ?? 400;
      const message =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is longer than 100 characters' : 'malformed URL';
      reply.code(status).send(body(status, message));
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  }) as unknown as LookupServer;
  app.decorate('lookup', lookup);
  app.decorate('metrics', metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Stampede lookup',
        version: '1.0.0',
        description: 'Batched lookups of users by (username, department).',
      },
      ...(options.apiKey && {
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      }),
    },
  });

  // Hooks take callbacks rather than async functions: they run on every request, and the
  // HTTP benchmark holds the service to half the raw driver's throughput.
  if (options.apiKey) {
    const expected = digest(options.apiKey);
    app.addHook('onRequest', (request, reply, done) => {
      if (PUBLIC_PATHS.has(request.url.split('?')[0] ?? '')) return done();
      const token = /^Bearer ([^\s]+)$/i.exec(request.headers.authorization ?? '')?.[1];
      // Hashing first gives equal lengths, so the comparison takes the same time for any token.
      if (token === undefined || !timingSafeEqual(digest(token), expected)) {
        reply.header('www-authenticate', 'Bearer realm="stampede"');
        reply.code(401).send(body(401, 'a valid API key is required: Authorization: Bearer <STAMPEDE_API_KEY>'));
        return;
      }
      done();
    });
  }

  // Responses finishing during a drain close their keep-alive connection; otherwise a
  // client holding it open would keep close() waiting until the keep-alive timeout.
  let draining = false;
  app.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(body(404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const name = validationField(error);
      const first = error.validation[0];
      const what =
        first?.keyword === 'required'
          ? 'is required'
          : first?.keyword === 'additionalProperties'
            ? 'is not allowed'
            : (first?.message ?? 'is invalid');
      return reply.code(400).send(body(400, `${name} ${what}`, name));
    }
    if (isLookupError(error)) {
      const status = error.code === 'UNKNOWN_DEPARTMENT' ? 404 : 400;
      const where = error.field === 'department' ? 'params.department' : `query.${error.field}`;
      return reply.code(status).send(body(status, error.message, where));
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // fastify's own client errors (body too large, bad JSON, media type) carry no internals.
      return reply.code(status).send(body(status, error.message));
    }
    request.log.error({ err: error }, 'request failed');
    if (isDatabaseError(error) && error.errorClass === 'retryable') {
      return reply.code(503).send(body(503, 'the database is unavailable; try again shortly'));
    }
    return reply.code(500).send(body(500, 'internal error; the service log has the details'));
  });

  app.get(
    '/users',
    {
      schema: {
        summary: 'One user by username and department',
        querystring: {
          type: 'object',
          properties: { username: field, department: field },
          required: ['username', 'department'],
        },
        response: { 200: userSchema, 404: errorSchema, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const result = await lookup.find(request.query as LookupPair);
      if (!result.found) return reply.code(404).send(body(404, 'no user with that username in that department'));
      return result.user;
    },
  );

  app.post(
    '/users/lookup',
    {
      schema: {
        summary: `Up to ${MAX_PAIRS} pairs at once, answered in order`,
        body: {
          type: 'object',
          properties: { pairs: { type: 'array', maxItems: MAX_PAIRS, items: pairSchema } },
          required: ['pairs'],
          additionalProperties: false,
        },
        response: {
          200: { type: 'object', properties: { results: { type: 'array', items: resultSchema } } },
          400: errorSchema,
          413: errorSchema,
        },
      },
    },
    async (request) => ({ results: await lookup.findMany((request.body as { pairs: LookupPair[] }).pairs) }),
  );

  app.get(
    '/departments/:department/users',
    {
      schema: {
        summary: "One page of a department's users in id order",
        params: { type: 'object', properties: { department: field }, required: ['department'] },
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: 100 },
            cursor: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              department: { type: 'string' },
              users: { type: 'array', items: userSchema },
              nextCursor: { type: ['string', 'null'] },
            },
          },
          400: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (request) => {
      const { department } = request.params as { department: string };
      const { limit, cursor } = request.query as { limit: number; cursor?: string };
      return lookup.listDepartment(department, { limit, ...(cursor !== undefined && { cursor }) });
    },
  );

  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'The database answers a lookup' } }, async (request, reply) => {
    try {
      // A point query on the table proves the connection, the credentials and the table.
      await store.findByUsernames(['readyz.probe']);
      return { status: 'ready' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return reply.code(503).send(body(503, 'the database does not answer'));
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
