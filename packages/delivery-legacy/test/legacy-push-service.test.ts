import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { TestWebSocket, until } from '@gw/testkit';
import type { LegacyPushOptions } from '../src/index.js';
import { delay, fileEvent, startServer, type TestServer } from './harness.js';

/** Each case gets its own server, so counters and timers start fresh. */
function withServer(overrides: Partial<LegacyPushOptions> = {}) {
  const state: { server?: TestServer; clients: TestWebSocket[] } = { clients: [] };
  const setup = async () => {
    state.server = await startServer(overrides);
    return state.server;
  };
  const connect = async (user: string) => {
    const client = await TestWebSocket.authenticated(`${state.server?.url}/ws`, user);
    state.clients.push(client);
    return client;
  };
  const teardown = async () => {
    for (const client of state.clients.splice(0)) client.close();
    await state.server?.close();
  };
  return { setup, connect, teardown };
}

describe('message delivery without debounce', () => {
  const ctx = withServer({ debounceDisabled: true });
  let server: TestServer;
  let foo: TestWebSocket;
  let foo2: TestWebSocket;

  before(async () => {
    server = await ctx.setup();
    foo = await ctx.connect('foo');
    foo2 = await ctx.connect('foo2');
  });
  after(ctx.teardown);

  it('sends notify_file for a file event, to that user only', async () => {
    server.service.deliver(fileEvent('foo', 7));
    assert.equal(await foo.next(), 'notify_file');
    assert.deepEqual(await foo2.framesAfter(50), []);
  });

  it('sends notify_activity and notify_notification', async () => {
    server.service.deliver({ type: 'activity', user: 'foo', receivedAt: Date.now() });
    server.service.deliver({ type: 'notification', user: 'foo', receivedAt: Date.now() });
    assert.equal(await foo.next(), 'notify_activity');
    assert.equal(await foo.next(), 'notify_notification');
  });

  it('sends a custom message without body as the bare message', async () => {
    server.service.deliver({
      type: 'custom',
      user: 'foo',
      receivedAt: Date.now(),
      message: 'my_custom_message',
      body: null,
    });
    assert.equal(await foo.next(), 'my_custom_message');
  });

  it('sends a custom body as compact JSON with sorted keys', async () => {
    const body = { z: 1, a: [3, { y: true, b: null }], 10: 'x', 9: 'y' };
    server.service.deliver({
      type: 'custom',
      user: 'foo',
      receivedAt: Date.now(),
      message: 'm',
      body,
    });
    assert.equal(await foo.next(), 'm {"10":"x","9":"y","a":[3,{"b":null,"y":true}],"z":1}');
    server.service.deliver({
      type: 'custom',
      user: 'foo',
      receivedAt: Date.now(),
      message: 'my_custom_message',
      body: [1, 2, 3],
    });
    assert.equal(await foo.next(), 'my_custom_message [1,2,3]');
  });

  it('sends notify_file_id only after listen notify_file_id', async () => {
    foo2.send('listen notify_file', 'listen notify_file_id');
    await delay(20);
    server.service.deliver(fileEvent('foo2', 11));
    server.service.deliver(fileEvent('foo', 11));
    assert.equal(await foo2.next(), 'notify_file_id [11]');
    assert.equal(await foo.next(), 'notify_file');
  });

  it('counts the messages it sent', () => {
    const { messagesSent, activeConnections, activeUsers, totalConnections } = server.service.stats;
    assert.deepEqual(messagesSent, {
      file: 3,
      activity: 1,
      notification: 1,
      custom: 3,
      total: 8,
    });
    assert.equal(activeConnections, 2);
    assert.equal(activeUsers, 2);
    assert.equal(totalConnections, 2);
  });
});

describe('debounced delivery', () => {
  const ctx = withServer();
  afterEach(ctx.teardown);

  it('coalesces two file events into one notify_file_id with both ids', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    client.send('listen notify_file_id');
    await delay(20);
    server.service.deliver(fileEvent('foo', 1));
    server.service.deliver(fileEvent('foo', 2));
    server.service.deliver(fileEvent('foo', 1));
    assert.equal(await client.next(), 'notify_file_id [1,2]');
    assert.deepEqual(await client.framesAfter(100), []);
  });

  it('sends notify_file when an update with an unknown file merged in', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    client.send('listen notify_file_id');
    await delay(20);
    server.service.deliver(fileEvent('foo', 1));
    server.service.deliver(fileEvent('foo', null));
    assert.equal(await client.next(), 'notify_file');
  });

  it('holds a second burst back for the debounce time', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    server.service.deliver({ type: 'notification', user: 'foo', receivedAt: Date.now() });
    assert.equal(await client.next(), 'notify_notification');
    const sentAt = Date.now();
    server.service.deliver({ type: 'notification', user: 'foo', receivedAt: Date.now() });
    assert.equal(await client.next(), 'notify_notification');
    assert.ok(Date.now() - sentAt >= 900, 'notifications are at most one per second');
  });

  it('sends custom messages at once, bypassing the queue', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    server.service.deliver(fileEvent('foo', 1));
    server.service.deliver({
      type: 'custom',
      user: 'foo',
      receivedAt: 0,
      message: 'now',
      body: null,
    });
    assert.equal(await client.next(), 'now');
    assert.equal(await client.next(), 'notify_file');
  });
});

describe('per-user connection limit', () => {
  const ctx = withServer({ debounceDisabled: true });
  after(ctx.teardown);

  it('refuses the 66th connection of a user while the other 65 keep receiving', async () => {
    const server = await ctx.setup();
    const clients = await Promise.all(Array.from({ length: 65 }, () => ctx.connect('foo')));
    const extra = await TestWebSocket.open(`${server.url}/ws`);
    extra.send('foo', 'bar');
    assert.equal(await extra.next(), 'err: Connection limit exceeded for user');
    assert.equal(await extra.closed, 1008);
    assert.equal(server.service.stats.activeConnections, 65);

    server.service.deliver({ type: 'activity', user: 'foo', receivedAt: Date.now() });
    const frames = await Promise.all(clients.map((client) => client.next()));
    assert.ok(frames.every((frame) => frame === 'notify_activity'));

    clients[0]?.close();
    await until(() => server.service.stats.activeConnections === 64);
    await ctx.connect('foo');
  });
});

describe('keepalive', () => {
  const ctx = withServer({ pingIntervalMs: 100, tickIntervalMs: 10 });
  afterEach(ctx.teardown);

  it('pings an idle connection with a non-zero 4-byte little-endian nonce and keeps it on pong', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    const payloads: Buffer[] = [];
    client.socket.on('ping', (data) => payloads.push(data));
    await delay(450);
    assert.ok(payloads.length >= 2, `expected pings, got ${payloads.length}`);
    assert.ok(payloads.every((data) => data.length === 4 && data.readUInt32LE(0) !== 0));
    assert.notDeepEqual(payloads[0], payloads[1]);
    assert.equal(client.socket.readyState, client.socket.OPEN);
    assert.equal(server.service.stats.activeConnections, 1);
  });

  it('terminates a client that does not answer pings', async () => {
    const server = await ctx.setup();
    const client = await TestWebSocket.open(`${server.url}/ws`, { autoPong: false });
    client.send('foo', 'bar');
    assert.equal(await client.next(), 'authenticated');
    assert.equal(await client.closed, 1006);
    assert.equal(server.service.stats.activeConnections, 0);
  });

  it('closes a connection whose pong does not match the nonce', async () => {
    const server = await ctx.setup();
    const client = await TestWebSocket.open(`${server.url}/ws`, { autoPong: false });
    client.socket.on('ping', () => client.socket.pong(Buffer.from([1, 2, 3, 4, 5])));
    client.send('foo', 'bar');
    assert.equal(await client.next(), 'authenticated');
    assert.equal(await client.closed, 1002);
  });

  it('ignores an unsolicited pong', async () => {
    const server = await ctx.setup();
    const client = await ctx.connect('foo');
    client.socket.pong(Buffer.from([9, 9, 9, 9]));
    await delay(50);
    server.service.deliver({
      type: 'custom',
      user: 'foo',
      receivedAt: 0,
      message: 'hi',
      body: null,
    });
    assert.equal(await client.next(), 'hi');
  });
});

describe('connection lifetime', () => {
  const ctx = withServer({ maxConnectionTimeMs: 150, tickIntervalMs: 10 });
  afterEach(ctx.teardown);

  it('closes a connection with 1000 once the max connection time is exceeded', async () => {
    await ctx.setup();
    const client = await ctx.connect('foo');
    const openedAt = Date.now();
    assert.equal(await client.closed, 1000);
    assert.ok(Date.now() - openedAt >= 100);
  });
});

describe('slow clients', () => {
  const ctx = withServer({ pingIntervalMs: 60_000 });
  after(ctx.teardown);

  it('keeps a congested client from delaying others and delivers its queued update on resume', async () => {
    const server = await ctx.setup();
    const slow = await ctx.connect('slow');
    const other = await ctx.connect('foo');
    slow.socket.pause();
    const body = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 2_000 && server.service.stats.droppedCustom === 0; i++) {
      server.service.deliver({ type: 'custom', user: 'slow', receivedAt: 0, message: 'big', body });
    }
    assert.ok(server.service.stats.droppedCustom > 0, 'the congested socket drops custom messages');

    server.service.deliver(fileEvent('slow', 5));
    const start = Date.now();
    server.service.deliver({ type: 'activity', user: 'foo', receivedAt: Date.now() });
    assert.equal(await other.next(), 'notify_activity');
    assert.ok(Date.now() - start < 500);

    slow.socket.resume();
    for (;;) {
      const frame = await slow.next(5_000);
      if (frame === 'notify_file') break;
      assert.ok(frame.startsWith('big '), `unexpected frame ${frame.slice(0, 40)}`);
    }
  });
});

describe('reset and close', () => {
  const ctx = withServer();
  afterEach(ctx.teardown);

  it('reset closes every connection with 1012', async () => {
    const server = await ctx.setup();
    const a = await ctx.connect('foo');
    const b = await ctx.connect('foo2');
    server.service.reset();
    assert.deepEqual(await Promise.all([a.closed, b.closed]), [1012, 1012]);
    assert.equal(server.service.stats.activeConnections, 0);
    assert.equal(server.service.stats.activeUsers, 0);
    await ctx.connect('foo');
  });

  it('close closes open and handshaking sockets with 1001', async () => {
    const server = await ctx.setup();
    const open = await ctx.connect('foo');
    const handshaking = await TestWebSocket.open(`${server.url}/ws`);
    handshaking.send('foo');
    await delay(20);
    await server.service.close();
    assert.deepEqual(await Promise.all([open.closed, handshaking.closed]), [1001, 1001]);
    const late = await TestWebSocket.open(`${server.url}/ws`);
    assert.equal(await late.closed, 1001);
  });
});
