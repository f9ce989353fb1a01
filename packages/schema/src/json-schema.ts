import { type ColumnSpec, USER_COLUMNS } from './ddl.js';
import type { UserField } from './user.js';

/** The JSON Schema (OpenAPI 3.1's dialect) of one field of the user record. */
export interface UserFieldJsonSchema {
  type: 'integer' | 'string';
  description: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: 'date' | 'date-time';
  enum?: string[];
}

/** The JSON Schema of a {@link User} as the HTTP service sends it: every field, every one required. */
export interface UserJsonSchema {
  type: 'object';
  properties: Record<UserField, UserFieldJsonSchema>;
  required: UserField[];
}

/** One column's JSON Schema: its kind decides the type and format; its limits, pattern and values size it. */
function fieldJsonSchema(column: ColumnSpec): UserFieldJsonSchema {
  const { kind, min, max, description, pattern, values } = column;
  const string = { type: 'string', description } as const;
  switch (kind) {
    case 'id':
      return { type: 'integer', description, minimum: min, maximum: max };
    case 'identifier':
    case 'email':
    case 'text':
      return { ...string, minLength: min, maxLength: max, ...(pattern !== undefined && { pattern }) };
    case 'department':
      return { ...string, enum: [...(values ?? [])] };
    case 'date':
      return { ...string, format: 'date' };
    case 'timestamp':
      return { ...string, format: 'date-time' };
    default: {
      // A new kind in the column table fails to compile here until it has a JSON form.
      const unknown: never = kind;
      throw new Error(`no JSON schema for column kind ${String(unknown)}`);
    }
  }
}

/**
 * The user record as JSON Schema, from the column table ({@link USER_COLUMNS}): properties in
 * column order, every field required. The HTTP service's response schema and OpenAPI document.
 * A fresh object on every call, so a caller (fastify, a swagger plugin) may annotate its copy.
 */
export function userJsonSchema(): UserJsonSchema {
  const properties = Object.fromEntries(USER_COLUMNS.map((c) => [c.field, fieldJsonSchema(c)])) as Record<
    UserField,
    UserFieldJsonSchema
  >;
  return { type: 'object', properties, required: USER_COLUMNS.map((c) => c.field) };
}
