import { userJsonSchema } from '@stampede/schema';

/** Most pairs one `POST /users/lookup` may carry. */
export const MAX_PAIRS = 1000;
/** Longest username or department the service accepts (longer is a 400, never a query). */
export const MAX_FIELD_LENGTH = 256;

// The record's own schema, from @stampede/schema's column table: it drives both fastify's
// response serialization and the OpenAPI document, so neither can drift from the record.
export const userSchema = userJsonSchema();

export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    field: { type: 'string' },
  },
  required: ['statusCode', 'error', 'message'],
} as const;

/** A username or department as a request carries it. */
export const fieldSchema = { type: 'string', minLength: 1, maxLength: MAX_FIELD_LENGTH } as const;

export const pairSchema = {
  type: 'object',
  properties: { username: fieldSchema, department: fieldSchema },
  required: ['username', 'department'],
  additionalProperties: false,
} as const;

export const resultSchema = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    department: { type: 'string' },
    found: { type: 'boolean' },
    user: { anyOf: [userSchema, { type: 'null' }] },
  },
  required: ['username', 'department', 'found', 'user'],
} as const;
