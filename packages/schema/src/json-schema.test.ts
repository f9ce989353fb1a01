import { describe, expect, it } from 'vitest';
import { USER_COLUMNS } from './ddl.js';
import { userJsonSchema } from './json-schema.js';
import { DEPARTMENTS, LIMITS, USER_FIELDS } from './user.js';

describe('userJsonSchema', () => {
  it('covers every field of USER_FIELDS, in order, every one required', () => {
    const schema = userJsonSchema();
    expect(Object.keys(schema.properties)).toEqual([...USER_FIELDS]);
    expect(schema.required).toEqual([...USER_FIELDS]);
    for (const field of USER_FIELDS) {
      expect(schema.properties[field].type, field).toMatch(/^(integer|string)$/);
      expect(schema.properties[field].description, field).not.toBe('');
    }
  });

  it('takes its limits and the department list from the record', () => {
    const { properties } = userJsonSchema();
    expect(properties.department.enum).toEqual([...DEPARTMENTS]);
    expect(properties.username.maxLength).toBe(LIMITS.usernameMax);
    expect(properties.username.minLength).toBe(LIMITS.usernameMin);
    expect(properties.email.maxLength).toBe(LIMITS.emailMax);
    expect(properties.city.maxLength).toBe(LIMITS.textMax);
    expect(properties.username.pattern).toBe(USER_COLUMNS.find((c) => c.field === 'username')?.pattern);
    expect(new RegExp(properties.email.pattern ?? '', 'u').test('ada.1@example.com')).toBe(true);
    expect(properties.birthDate.format).toBe('date');
    expect(properties.createdAt.format).toBe('date-time');
  });

  it('returns a fresh object each call', () => {
    const a = userJsonSchema();
    a.properties.department.enum?.push('Nope');
    a.required.pop();
    const b = userJsonSchema();
    expect(b.properties.department.enum).toEqual([...DEPARTMENTS]);
    expect(b.required).toHaveLength(USER_FIELDS.length);
  });
});
