import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { type Lookup, type LookupPair, MAX_PAGE_LIMIT } from '../lookup.js';
import { errorBody } from './reply.js';
import { errorSchema, fieldSchema, MAX_PAIRS, pairSchema, resultSchema, userSchema } from './schemas.js';

/** Options of {@link userRoutes}. */
export interface UserRoutesOptions {
  lookup: Lookup;
}

/** `GET /users`: one pair, 200 with the user or 404. */
function findRoute(app: FastifyInstance, lookup: Lookup): void {
  app.get(
    '/users',
    {
      schema: {
        summary: 'One user by username and department',
        querystring: {
          type: 'object',
          properties: { username: fieldSchema, department: fieldSchema },
          required: ['username', 'department'],
        },
        response: { 200: userSchema, 404: errorSchema, 400: errorSchema },
      },
    },
    async (request, reply) => {
      const result = await lookup.find(request.query as LookupPair);
      if (!result.found) return reply.code(404).send(errorBody(404, 'no user with that username in that department'));
      return result.user;
    },
  );
}

/** `POST /users/lookup`: up to {@link MAX_PAIRS} pairs, answered in order. */
function findManyRoute(app: FastifyInstance, lookup: Lookup): void {
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
          415: errorSchema,
        },
      },
    },
    async (request) => ({ results: await lookup.findMany((request.body as { pairs: LookupPair[] }).pairs) }),
  );
}

/** `GET /departments/:department/users`: one page in id order, with a cursor to the next. */
function departmentRoute(app: FastifyInstance, lookup: Lookup): void {
  app.get(
    '/departments/:department/users',
    {
      schema: {
        summary: "One page of a department's users in id order",
        params: { type: 'object', properties: { department: fieldSchema }, required: ['department'] },
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
}

/** The lookups: `GET /users`, `POST /users/lookup` and `GET /departments/:department/users`. */
export const userRoutes: FastifyPluginCallback<UserRoutesOptions> = (app, { lookup }, done) => {
  findRoute(app, lookup);
  findManyRoute(app, lookup);
  departmentRoute(app, lookup);
  done();
};
