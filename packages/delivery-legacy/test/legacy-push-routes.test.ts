import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket, until } from '@gw/testkit';
import { delay, MAX_FRAME_BYTES, startServer, type TestServer } from './harness.js';

describe('legacy push routes and handshake', () => {
  let server: TestServer;
  const clients: TestWebSocket[] = [];

  before(async () => {
    server = await startServer({ authTimeoutMs: 300, preAuthTtlMs: 200 });
  });
  after(async () => {
    for (const client of clients) client.close();
    await server.close();
  });

  async function open(path = '/ws', headers?: Record<string, string>): Promise<TestWebSocket> {
    const client = await TestWebSocket.open(`${server.url}${path}`, { headers });
    clients.push(client);
    return client;
  }

  it('answers a plain GET on /ws without upgrade with 400', async () => {
    const response = await fetch(`${server.url.replace('ws:', 'http:')}/ws`);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /WebSocket/);
  });

  for (const path of ['/ws', '/push/ws']) {
    it(`sends authenticated for valid credentials on ${path}`, async () => {
      const client = await open(path);
      client.send('foo', 'bar');
      assert.equal(await client.next(), 'authenticated');
    });
  }

  it('sends err: Invalid credentials and closes with 1008 for a wrong password', async () => {
    const client = await open();
    client.send('foo', 'not_bar');
    assert.equal(await client.next(), 'err: Invalid credentials');
    assert.equal(await client.closed, 1008);
  });

  it('refuses an empty username without asking Nextcloud', async () => {
    const calls = server.verifyCalls.length;
    const client = await open();
    client.send('', 'bar');
    assert.equal(await client.next(), 'err: Invalid credentials');
    assert.equal(server.verifyCalls.length, calls);
  });

  it('trims both credential frames', async () => {
    const client = await open();
    client.send('  foo\n', '\tbar  ');
    assert.equal(await client.next(), 'authenticated');
    assert.equal(server.verifyCalls.at(-1)?.username, 'foo');
    assert.equal(server.verifyCalls.at(-1)?.password, 'bar');
  });

  it('accepts a pre-auth token once, whatever the username', async () => {
    server.service.preAuth('foo2', 'token-a');
    server.service.preAuth('foo2', 'token-b');
    const calls = server.verifyCalls.length;
    const first = await open();
    first.send('', ' token-a ');
    assert.equal(await first.next(), 'authenticated');
    const dummy = await open();
    dummy.send('dummy', 'token-b');
    assert.equal(await dummy.next(), 'authenticated');
    assert.equal(server.verifyCalls.length, calls);

    server.service.deliver({ type: 'activity', user: 'foo2', receivedAt: Date.now() });
    assert.equal(await first.next(), 'notify_activity');
    assert.equal(await dummy.next(), 'notify_activity');

    const again = await open();
    again.send('', 'token-a');
    assert.equal(await again.next(), 'err: Invalid credentials');
  });

  it('refuses an expired pre-auth token', async () => {
    server.service.preAuth('foo2', 'token-expiring');
    await delay(250);
    const client = await open();
    client.send('', 'token-expiring');
    assert.equal(await client.next(), 'err: Invalid credentials');
  });

  it('ignores a pre-auth registration with an empty token', async () => {
    server.service.preAuth('foo2', '');
    const client = await open();
    client.send('', '');
    assert.equal(await client.next(), 'err: Invalid credentials');
  });

  it('sends err: Invalid authentication message for a binary frame before auth', async () => {
    const client = await open();
    client.socket.send(Buffer.from('foo'), { binary: true });
    assert.equal(await client.next(), 'err: Invalid authentication message');
    assert.equal(await client.closed, 1008);
  });

  it('sends Authentication timeout when the client sends nothing', async () => {
    const client = await open();
    assert.equal(await client.next(), 'Authentication timeout');
    assert.equal(await client.closed, 1008);
  });

  it('closes with 1009 on a frame larger than maxPayload', async () => {
    const client = await open();
    client.send('x'.repeat(MAX_FRAME_BYTES + 1));
    assert.equal(await client.closed, 1009);
  });

  it('passes the X-Forwarded-For chain with the peer appended to the credential check', async () => {
    const client = await open('/ws', { 'X-Forwarded-For': '203.0.113.7, "[2001:DB8::1]"' });
    client.send('foo', 'bar');
    assert.equal(await client.next(), 'authenticated');
    assert.deepEqual(server.verifyCalls.at(-1)?.forwardedFor, [
      '203.0.113.7',
      '2001:db8::1',
      '127.0.0.1',
    ]);
  });

  it('honours listen notify_file_id sent right behind the password', async () => {
    const client = await open();
    client.send('foo', 'bar', 'listen notify_file_id');
    assert.equal(await client.next(), 'authenticated');
    await delay(20);
    server.service.deliver({
      type: 'file',
      user: 'foo',
      receivedAt: Date.now(),
      change: { fileId: 42, storage: 1, storagePath: 'files/a', userPaths: ['files/a'] },
    });
    // Other foo connections from earlier cases are open too; this one listens for ids.
    assert.equal(await client.next(), 'notify_file_id [42]');
  });
});

describe('legacy handshake against a slow or failing Nextcloud', () => {
  let server: TestServer;
  const noRelease = () => {};
  let release: () => void = noRelease;

  before(async () => {
    server = await startServer({
      authTimeoutMs: 200,
      verifyCredentials: async (username) => {
        if (username === 'slow') {
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          release = noRelease;
          return 'slow';
        }
        throw new Error(
          'Error while sending authentication request to nextcloud: Server error: 500 Internal Server Error',
        );
      },
    });
  });
  after(async () => {
    release();
    await server.close();
  });

  it('sends the rejection message of the credential check as err: text', async () => {
    const client = await TestWebSocket.open(`${server.url}/ws`);
    client.send('foo', 'bar');
    assert.equal(
      await client.next(),
      'err: Error while sending authentication request to nextcloud: Server error: 500 Internal Server Error',
    );
    assert.equal(await client.closed, 1008);
  });

  it('times out a credential check slower than the handshake timeout', async () => {
    const client = await TestWebSocket.open(`${server.url}/ws`);
    client.send('slow', 'bar');
    assert.equal(await client.next(), 'Authentication timeout');
    assert.equal(await client.closed, 1008);
    release();
    await delay(20);
    assert.equal(server.service.stats.activeConnections, 0);
  });

  it('does not register a client that left during the credential check', async () => {
    const client = await TestWebSocket.open(`${server.url}/ws`);
    client.send('slow', 'bar');
    await until(() => release !== noRelease);
    client.close();
    await client.closed;
    release();
    await delay(20);
    assert.equal(server.service.stats.activeConnections, 0);
    assert.equal(server.service.stats.totalConnections, 0);
  });
});
