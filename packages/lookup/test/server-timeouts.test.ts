import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore, type UserStore } from '@stampede/store';
import { makeTempDir } from '@stampede/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type LookupServer } from '../src/index.js';
import { makeUser } from './fixtures.js';

// Slow clients on real sockets on 127.0.0.1. Each client is bounded (a fixed number of bytes,
// one a second), so a server that never cuts it fails the test instead of hanging it.
const tmp = makeTempDir('lookup-timeouts');
const users = Array.from({ length: 5 }, (_, i) => makeUser(i + 1));
let store: UserStore;
let app: LookupServer;
let port: number;

beforeAll(async () => {
  store = openStore(`sqlite:${tmp.join('users.sqlite')}`);
  await store.ensureSchema();
  await store.upsert(users);
  app = await buildServer({
    store,
    defaultMetrics: false,
    requestTimeout: 2000,
    headersTimeout: 1000,
    keepAliveTimeout: 500,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await app.close();
  await store.close();
  tmp.cleanup();
});

interface SlowClient {
  socket: Socket;
  response: () => string;
  closed: Promise<void>;
  isClosed: () => boolean;
}

async function open(): Promise<SlowClient> {
  const socket = connect(port, '127.0.0.1');
  // The server may reset the socket while we write: that is the outcome under test.
  socket.on('error', () => {});
  await once(socket, 'connect');
  let response = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => {
    response += chunk.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  void closed.then(() => {
    isClosed = true;
  });
  return { socket, response: () => response, closed, isClosed: () => isClosed };
}

/** Writes `drip` a byte a second until the server closes the socket; how many bytes went out. */
async function trickle(client: SlowClient, drip: string): Promise<number> {
  let sent = 0;
  for (const byte of drip) {
    await Promise.race([sleep(1000), client.closed]);
    if (client.isClosed()) break;
    client.socket.write(byte);
    sent++;
  }
  client.socket.end();
  await client.closed;
  return sent;
}

describe('slow clients are cut', () => {
  it('a body trickled a byte a second (slowloris) gets a 408 and loses its connection', async () => {
    const body = JSON.stringify({ pairs: [{ username: 'user.1', department: 'Sales' }] });
    const client = await open();
    client.socket.write(
      `POST /users/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const sent = await trickle(client, body.slice(0, 20));
    expect(sent).toBeLessThan(20);
    expect(client.response()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('headers trickled a byte a second are cut too', async () => {
    const client = await open();
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const sent = await trickle(client, 'X-Slow: abcdefghijkl');
    expect(sent).toBeLessThan(20);
    expect(client.response()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('an idle keep-alive connection is closed by the server after keepAliveTimeout', async () => {
    const client = await open();
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
    // Bounded: a server that keeps the connection (fastify's default is 72 s) fails here.
    const outcome = await Promise.race([client.closed.then(() => 'closed'), sleep(10_000).then(() => 'still open')]);
    client.socket.destroy();
    expect(outcome).toBe('closed');
    expect(client.response()).toMatch(/^HTTP\/1\.1 200 /);
    expect(client.response()).toMatch(/keep-alive/i);
  });
});

it('a normal request on the same server is answered', async () => {
  const u = users[0]!;
  const res = await fetch(
    `http://127.0.0.1:${port}/users?username=${u.username}&department=${encodeURIComponent(u.department)}`,
  );
  expect(res.status).toBe(200);
  expect(((await res.json()) as { id: number }).id).toBe(1);
});
