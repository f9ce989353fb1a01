import { DEPARTMENTS } from '@stampede/schema';

/** Most pairs one `POST /users/lookup` may carry. */
export const MAX_PAIRS = 1000;
/** Longest username or department the service accepts (longer is a 400, never a query). */
export const MAX_FIELD_LENGTH = 256;

export const userSchema = {
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
