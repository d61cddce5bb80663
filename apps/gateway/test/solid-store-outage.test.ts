// The channel store (PostgreSQL) unreachable: the gateway still starts and serves notify_push
// clients, Solid answers "try again" instead of guessing, and all is well once the store is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTcpProxy,
  createTestDatabase,
  type TcpProxy,
  type TestDatabase,
  TestWebSocket,
} from '@gw/testkit';
import { basic, davUrl, nextNotification, startSolidStack, subscribe } from './solid-client.js';
import type { Stack } from './stack.js';

describe('Solid with the channel store unreachable at start-up', () => {
  let store: TestDatabase;
  let proxy: TcpProxy;
  let stack: Stack & { base: string };
  const alice = { authorization: basic('alice', 'alice-pw') };

  before(async () => {
    store = await createTestDatabase();
    const url = new URL(store.url);
    proxy = await createTcpProxy({ target: { host: url.hostname, port: Number(url.port) } });
    url.port = String(proxy.port);
    const started = performance.now();
    stack = await startSolidStack({
      users: [{ uid: 'alice', password: 'alice-pw' }],
      env: { GATEWAY_DATABASE_URL: url.toString() },
    });
    assert.ok(performance.now() - started < 4_000, 'started without waiting for the store');
  });
  after(async () => {
    await stack.close();
    await proxy.close();
    await store.drop();
  });

  it('is not ready, naming the channel store', async () => {
    const response = await fetch(`${stack.base}readyz`);
    assert.equal(response.status, 503);
    const body = (await response.json()) as { failed: Record<string, string> };
    assert.ok(body.failed.channelStore, JSON.stringify(body));
  });

  it('answers subscriptions with 503 and closes receivers with 1013, so clients retry', async () => {
    const { response, json } = await subscribe(
      stack.base,
      { topic: davUrl(stack, 'alice', 'a.txt') },
      alice,
    );
    assert.equal(response.status, 503);
    assert.equal(json?.code, 'GW_SOLID_UNAVAILABLE');
    const socket = new TestWebSocket(
      `${stack.base.replace('http', 'ws')}.notifications/WebSocketChannel2023/socket/x`,
    );
    assert.equal(await socket.closed, 1013);
  });

  it('serves Solid once the store is back, without a restart', async () => {
    await proxy.up();
    let channel: Record<string, unknown> | undefined;
    const deadline = Date.now() + 15_000;
    while (channel === undefined && Date.now() < deadline) {
      const attempt = await subscribe(
        stack.base,
        { topic: davUrl(stack, 'alice', 'a.txt') },
        alice,
      );
      if (attempt.response.status === 200) channel = attempt.json;
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(channel, 'a subscription succeeded');
    const socket = await TestWebSocket.open(String(channel.receiveFrom));
    await stack.nextcloud.writeFile('alice', 'files/a.txt', 'x');
    assert.equal((await nextNotification(socket)).type, 'Create');
    assert.equal((await fetch(`${stack.base}readyz`)).status, 200);
    socket.close();
  });
});
