import { USER_FIELDS, userJsonSchema } from '@stampede/schema';
import { openStore, type UserStore } from '@stampede/store';
import { makeTempDir, useTestDatabase } from '@stampede/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, isLookupError, type LookupServer, MAX_PAIRS } from '../src/index.js';
import { makeUser } from './fixtures.js';

const mysqlDb = await useTestDatabase({ importMetaUrl: import.meta.url });
const tmp = makeTempDir('lookup-server');
const users = Array.from({ length: 120 }, (_, i) => makeUser(i + 1));
let store: UserStore;
let app: LookupServer;

beforeAll(async () => {
  store = openStore(`sqlite:${tmp.join('users.sqlite')}`);
  await store.ensureSchema();
  await store.upsert(users);
  app = await buildServer({ store, defaultMetrics: false });
});
afterAll(async () => {
  await app.close();
  await store.close();
  tmp.cleanup();
});

const u5 = users[4]!;

function q(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

// No response may leak internals, whatever went wrong.
function expectNoInternals(payload: string): void {
  expect(payload).not.toMatch(/\bat .+:\d+:\d+|SELECT|FROM\s+["`]|sqlite|SQLITE_|node_modules/i);
}

describe('GET /users', () => {
  it('200 with the user; matching rules apply', async () => {
    const res = await app.inject({
      url: `/users?${q({ username: ` ${u5.username.toUpperCase()}`, department: u5.department.toLowerCase() })}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(u5);
  });

  it('404 when absent or in another department', async () => {
    for (const department of [u5.department === 'Sales' ? 'Legal' : 'Sales', 'Nope']) {
      const res = await app.inject({ url: `/users?${q({ username: u5.username, department })}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error).toBe('Not Found');
    }
  });

  it('400 naming the missing or too-long field', async () => {
    let res = await app.inject({ url: `/users?${q({ username: 'user.1' })}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'query.department is required',
      field: 'query.department',
    });
    res = await app.inject({ url: `/users?${q({ username: 'x'.repeat(5000), department: 'Sales' })}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.username');
    expect(res.json().message).toBe('query.username must NOT have more than 256 characters');
    res = await app.inject({ url: `/users?${q({ username: '', department: 'Sales' })}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.username');
  });

  it('injection strings and Unicode are a 404, never a 500', async () => {
    for (const [username, department] of [
      ["' OR '1'='1", 'Sales'],
      ['user.1', "Sales' UNION SELECT * FROM users --"],
      ['ユーザー', '営業'],
      ['user.1\u0000', 'Engineering'],
      ['😀😀😀', '😀'],
    ] as const) {
      const res = await app.inject({ url: `/users?${q({ username, department })}` });
      expect(res.statusCode).toBe(404);
      expectNoInternals(res.payload);
    }
  });
});

describe('POST /users/lookup', () => {
  it('answers every pair in order', async () => {
    const pairs = [
      { username: 'missing.1', department: 'Sales' },
      ...users.slice(0, 50).map((u) => ({ username: u.username, department: u.department })),
    ];
    const res = await app.inject({ method: 'POST', url: '/users/lookup', payload: { pairs } });
    expect(res.statusCode).toBe(200);
    const { results } = res.json();
    expect(results).toHaveLength(51);
    expect(results[0]).toEqual({ ...pairs[0], found: false, user: null });
    expect(results.slice(1).map((r: { user: { id: number } }) => r.user.id)).toEqual(
      users.slice(0, 50).map((u) => u.id),
    );
  });

  it(`400 past ${MAX_PAIRS} pairs, for a bad pair (naming its index), a missing body or extra fields`, async () => {
    const pair = { username: 'user.1', department: 'Sales' };
    const cases: [unknown, string][] = [
      [{ pairs: Array.from({ length: MAX_PAIRS + 1 }, () => pair) }, 'body.pairs'],
      [{ pairs: [pair, { username: 'user.2' }] }, 'body.pairs[1].department'],
      [{ pairs: [pair, pair, { username: 'x'.repeat(300), department: 'Sales' }] }, 'body.pairs[2].username'],
      [{ pairs: [{ ...pair, extra: 1 }] }, 'body.pairs[0].extra'],
      [{ pairs: 'user.1:Sales' }, 'body.pairs'],
      [{}, 'body.pairs'],
    ];
    for (const [payload, name] of cases) {
      const res = await app.inject({ method: 'POST', url: '/users/lookup', payload: payload as object });
      expect(res.statusCode, name).toBe(400);
      expect(res.json().field).toBe(name);
      expect(res.json().message).toContain(name);
    }
  });

  it('400 for malformed JSON, 415 for another media type, 413 past the body limit', async () => {
    let res = await app.inject({
      method: 'POST',
      url: '/users/lookup',
      headers: { 'content-type': 'application/json' },
      payload: '{"pairs": [',
    });
    expect(res.statusCode).toBe(400);
    expectNoInternals(res.payload);
    res = await app.inject({
      method: 'POST',
      url: '/users/lookup',
      headers: { 'content-type': 'text/csv' },
      payload: 'user.1,Sales',
    });
    expect(res.statusCode).toBe(415);
    res = await app.inject({
      method: 'POST',
      url: '/users/lookup',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pairs: [{ username: 'a'.repeat(2 * 1024 * 1024), department: 'Sales' }] }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('Payload Too Large');
  });

  it('415 for a JSON body in a charset other than UTF-8; UTF-8 however spelled is parsed', async () => {
    const pairs = [{ username: u5.username, department: u5.department }];
    for (const charset of ['utf-16', 'UTF-16LE', '"iso-8859-1"', 'latin1']) {
      const res = await app.inject({
        method: 'POST',
        url: '/users/lookup',
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: Buffer.from(JSON.stringify({ pairs }), charset.startsWith('u') ? 'utf16le' : 'latin1'),
      });
      expect(res.statusCode, charset).toBe(415);
      expect(res.json().error).toBe('Unsupported Media Type');
      expect(res.json().message).toMatch(/charset .* is not supported: send the JSON body in UTF-8/);
    }
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"', 'utf8']) {
      const res = await app.inject({
        method: 'POST',
        url: '/users/lookup',
        headers: { 'content-type': `application/json; charset=${charset}` },
        payload: JSON.stringify({ pairs }),
      });
      expect(res.statusCode, charset).toBe(200);
      expect(res.json().results[0].found).toBe(true);
    }
    // Prototype poisoning is still refused by fastify's own parser.
    const res = await app.inject({
      method: 'POST',
      url: '/users/lookup',
      headers: { 'content-type': 'application/json' },
      payload: '{"pairs":[],"__proto__":{"x":1}}',
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('GET /departments/:department/users', () => {
  it('pages with a cursor until nextCursor is null', async () => {
    const dept = users[0]!.department;
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; json: () => { users: { id: number }[]; nextCursor: string | null } } =
        await app.inject({
          url: `/departments/${encodeURIComponent(dept)}/users?limit=5${cursor ? `&cursor=${cursor}` : ''}`,
        });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      ids.push(...page.users.map((u: { id: number }) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(users.filter((u) => u.department === dept).map((u) => u.id));
  });

  it('404 for an unknown department, 400 naming limit or cursor', async () => {
    let res = await app.inject({ url: '/departments/Nope/users' });
    expect(res.statusCode).toBe(404);
    expect(res.json().field).toBe('params.department');
    res = await app.inject({ url: '/departments/Sales/users?limit=0' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.limit');
    res = await app.inject({ url: '/departments/Sales/users?limit=ten' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.limit');
    res = await app.inject({ url: '/departments/Sales/users?cursor=not-a-cursor' });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('query.cursor');
    // Past the router's parameter limit: 414 from fastify, before any handler runs.
    res = await app.inject({ url: `/departments/${'x'.repeat(300)}/users` });
    expect(res.statusCode).toBe(414);
    expect(res.json().error).toBe('URI Too Long');
  });
});

describe('operations', () => {
  it('healthz, readyz, metrics and the OpenAPI document', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.payload).toMatch(
      /stampede_lookup_http_requests_total\{method="GET",route="\/users",status="200"\} \d+/,
    );
    expect(metrics.payload).toMatch(/stampede_lookup_queries_total\{outcome="ok"\} [1-9]/);
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/users', '/users/lookup', '/departments/{department}/users', '/healthz', '/readyz']),
    );
  });

  it("the OpenAPI user schema is the record's own, every field of USER_FIELDS", async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const user = doc.paths['/users'].get.responses['200'].content['application/json'].schema;
    expect(Object.keys(user.properties)).toEqual([...USER_FIELDS]);
    expect(user).toEqual(userJsonSchema());
  });

  it('unknown routes and methods are JSON 404s', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/users' });
    expect(res.statusCode).toBe(404);
    expect(res.json().statusCode).toBe(404);
  });

  it('a database failure is a 500 or 503 with no SQL or stack, and readyz says 503', async () => {
    const broken = openStore(`sqlite:${tmp.join('empty.sqlite')}`); // no table: every query fails
    const bad = await buildServer({ store: broken, defaultMetrics: false });
    try {
      const res = await bad.inject({ url: '/users?username=user.1&department=Sales' });
      expect(res.statusCode).toBe(500);
      expectNoInternals(res.payload);
      expect(res.json().message).toMatch(/internal error/);
      expect((await bad.inject({ url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await bad.close();
      await broken.close();
    }
  });
});

describe('API key', () => {
  it('401 without or with a wrong bearer token; health stays open', async () => {
    const secured = await buildServer({ store, apiKey: 's3cret-key', defaultMetrics: false });
    try {
      const url = `/users?${q({ username: u5.username, department: u5.department })}`;
      let res = await secured.inject({ url });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      res = await secured.inject({ url, headers: { authorization: 'Bearer wrong' } });
      expect(res.statusCode).toBe(401);
      res = await secured.inject({ url, headers: { authorization: 's3cret-key' } });
      expect(res.statusCode).toBe(401);
      res = await secured.inject({ url: '/metrics' });
      expect(res.statusCode).toBe(401);
      res = await secured.inject({ url, headers: { authorization: 'Bearer s3cret-key' } });
      expect(res.statusCode).toBe(200);
      expect((await secured.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await secured.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await secured.close();
    }
  });

  it('an API key no header can carry is refused at start-up, without showing it', async () => {
    for (const apiKey of ['s3cret key', ' s3cret', 's3cret\n', 'tab\there', 'clé-secrète']) {
      const error = await buildServer({ store, apiKey, defaultMetrics: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isLookupError(error), JSON.stringify(apiKey)).toBe(true);
      if (!isLookupError(error)) continue;
      expect(error.code).toBe('INVALID_OPTION');
      expect(error.field).toBe('apiKey');
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/^the API key contains (whitespace|a character outside visible ASCII)/);
      expect(error.message).not.toContain(apiKey.trim());
      expect(error.hint).not.toBe('');
    }
  });
});

mysqlDb.describe('on MariaDB/MySQL', () => {
  it('answers, refuses hostile input without a database error, and reports the pool', async () => {
    const mysqlStore = openStore(mysqlDb.url, { connections: 2 });
    await mysqlStore.ensureSchema();
    await mysqlStore.upsert(users);
    const server = await buildServer({ store: mysqlStore, defaultMetrics: false });
    try {
      let res = await server.inject({ url: `/users?${q({ username: u5.username, department: u5.department })}` });
      expect(res.json()).toEqual(u5);
      res = await server.inject({
        method: 'POST',
        url: '/users/lookup',
        payload: {
          pairs: [
            { username: "' OR 1=1 --", department: 'Sales' },
            { username: 'ユーザー', department: '😀' },
            { username: 'a'.repeat(256), department: 'd'.repeat(256) },
            { username: u5.username, department: u5.department },
          ],
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().results.map((r: { found: boolean }) => r.found)).toEqual([false, false, false, true]);
      expect((await server.inject({ url: '/readyz' })).statusCode).toBe(200);
      const metrics = (await server.inject({ url: '/metrics' })).payload;
      expect(metrics).toMatch(/stampede_lookup_pool_connections\{state="limit"\} 2/);
    } finally {
      await server.close();
      await mysqlStore.close();
    }
  });
});
