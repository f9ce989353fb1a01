import { describe, expect, it } from 'vitest';
import { jsonShapeProblem, MAX_DEPTH } from './json-shape.js';

const check = (text: string) => jsonShapeProblem(text, JSON.parse(text));

describe('jsonShapeProblem', () => {
  it('passes flat objects, with or without commas inside strings, and scalars', () => {
    expect(check('{"id":1,"lastName":"O\\"Brien, Jr","b":null}')).toBeUndefined();
    expect(check(' { "a" : 1 , "b" : "x,y,z" } ')).toBeUndefined();
    expect(check('{}')).toBeUndefined();
    expect(check('42')).toBeUndefined();
    expect(check('{"a":{"b":[1,{"c":2}]},"d":[]}')).toBeUndefined();
  });

  it('names a duplicate key, at any depth and however it is escaped', () => {
    expect(check('{"id":999,"id":1}')).toBe('duplicate key "id"');
    expect(check('{"a":"x","b":1,"a":"x"}')).toBe('duplicate key "a"');
    expect(check('{"id":1,"\\u0069d":2}')).toBe('duplicate key "id"');
    expect(check('{"a":{"k":1,"k":2}}')).toBe('duplicate key "k"');
    expect(check('[{"k":1},{"k":1,"k":2}]')).toBe('duplicate key "k"');
    // Same key in sibling objects is no duplicate.
    expect(check('[{"k":1},{"k":2}]')).toBeUndefined();
    expect(check('{"a\\\\":1,"a":2}')).toBeUndefined();
  });

  it(`refuses nesting deeper than ${MAX_DEPTH} levels without recursion, whatever the depth`, () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(check(nest(MAX_DEPTH))).toBeUndefined();
    expect(check(nest(MAX_DEPTH + 1))).toBe(`nested deeper than ${MAX_DEPTH} levels`);
    expect(check(`{"a":${nest(1_000_000)}}`)).toBe(`nested deeper than ${MAX_DEPTH} levels`);
  });

  it('a __proto__ key is an own key of the parsed object, never its prototype', () => {
    const text = '{"__proto__":{"isAdmin":true},"__proto__":1}';
    expect(check(text)).toBe('duplicate key "__proto__"');
    const once = JSON.parse('{"__proto__":{"isAdmin":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(once)).toBe(Object.prototype);
    expect(Object.keys(once)).toEqual(['__proto__']);
  });
});
