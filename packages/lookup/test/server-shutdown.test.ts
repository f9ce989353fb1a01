import type { AddressInfo } from 'node:net';
import { openStore, type UserStore } from '@stampede/store';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServer } from '../src/index.js';
import { makeUser } from './fixtures.js';

const tmp = makeTempDir('lookup-shutdown');
const users = Array.from({ length: 10 }, (_, i) => makeUser(i + 1));
let store: UserStore;

beforeAll(async () => {
  store = openStore(`sqlite:${tmp.join('users.sqlite')}`);
  await store.ensureSchema();
  await store.upsert(users);
});
afterAll(async () => {
  await store.close();
  tmp.cleanup();
});

it('close() waits for requests in flight, answers them, and refuses new ones', async () => {
  // A store whose lookups wait at a gate the test opens, so requests are provably in flight.
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const gated = Object.create(store) as UserStore;
  let waiting = 0;
  gated.findByUsernames = async (names) => {
    // Every request must have reached the handler: one still connecting is not in flight.
    waiting += names.length;
    if (waiting === users.length) arrived();
    await gate;
    return store.findByUsernames(names);
  };
  const app = await buildServer({ store: gated, defaultMetrics: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const inFlight = users.map((u) =>
    fetch(`${base}/users?username=${u.username}&department=${encodeURIComponent(u.department)}`).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as { id?: number },
    })),
  );
  await reached;
  let closed = false;
  const closing = app.close().then(() => {
    closed = true;
  });
  // New connections are refused once the listener is closed.
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  expect(closed).toBe(false);
  open();
  const answers = await Promise.all(inFlight);
  await closing;
  expect(closed).toBe(true);
  expect(answers.map((a) => a.status)).toEqual(users.map(() => 200));
  expect(answers.map((a) => a.body.id)).toEqual(users.map((u) => u.id));
});
