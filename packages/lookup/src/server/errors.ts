import { isDatabaseError } from '@stampede/store';
import type { FastifyError, FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isLookupError } from '../errors.js';
import { errorBody } from './reply.js';

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

/** A schema validation failure as a 400 naming the field. */
function sendValidationError(error: FastifyError, reply: FastifyReply): FastifyReply {
  const name = validationField(error);
  const first = error.validation?.[0];
  const what =
    first?.keyword === 'required'
      ? 'is required'
      : first?.keyword === 'additionalProperties'
        ? 'is not allowed'
        : (first?.message ?? 'is invalid');
  return reply.code(400).send(errorBody(400, `${name} ${what}`, name));
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error.validation) return sendValidationError(error, reply);
  if (isLookupError(error)) {
    const status = error.code === 'UNKNOWN_DEPARTMENT' ? 404 : 400;
    const where = error.field === 'department' ? 'params.department' : `query.${error.field}`;
    return reply.code(status).send(errorBody(status, error.message, where));
  }
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    // fastify's own client errors (body too large, bad JSON, media type) carry no internals.
    return reply.code(status).send(errorBody(status, error.message));
  }
  request.log.error({ err: error }, 'request failed');
  if (isDatabaseError(error) && (error.errorClass === 'retryable' || error.errorClass === 'unavailable')) {
    return reply.code(503).send(errorBody(503, 'the database is unavailable; try again shortly'));
  }
  return reply.code(500).send(errorBody(500, 'internal error; the service log has the details'));
}

/**
 * The router's own errors (a bad URL, a too-long parameter) in the service's error shape.
 * A fastify constructor option (`frameworkErrors`): the router answers before any plugin runs.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is longer than 100 characters' : 'malformed URL';
  reply.code(status).send(errorBody(status, message));
}

/**
 * Every error as JSON `{statusCode, error, message, field?}`: validation and lookup errors name
 * the field, client errors keep fastify's message, and a failure says nothing of its internals
 * (no stack, no SQL): 503 when the database may come back, else 500, logged in full.
 */
export const errorsPlugin: FastifyPluginCallback = fp(
  (app, _options, done) => {
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`));
    });
    app.setErrorHandler(handleError);
    done();
  },
  { name: 'stampede-lookup-errors' },
);
