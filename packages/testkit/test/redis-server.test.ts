import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis, type RedisOptions } from 'ioredis';
import { startRedisServer } from '../src/index.js';

/** A client that fails at once instead of retrying. */
async function connected(options: RedisOptions): Promise<Redis> {
  const client = new Redis({
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

describe('startRedisServer', () => {
  it('serves on its own port and comes back on the same port after a kill', async () => {
    const server = await startRedisServer();
    const first = await connected({ host: '127.0.0.1', port: server.port });
    await first.set('k', 'v');
    first.disconnect();
    await server.kill();
    await server.start();
    const second = await connected(server.options);
    assert.equal(await second.get('k'), null, 'a killed server kept nothing');
    second.disconnect();
    await server.stop();
  });

  it('serves TLS only, to clients with a certificate from its CA when it requires one', async () => {
    const server = await startRedisServer({ tls: { authClients: true } });
    try {
      assert.match(server.url, /^rediss:\/\/127\.0\.0\.1:\d+$/);
      const client = await connected(server.options);
      assert.equal(await client.ping(), 'PONG');
      client.disconnect();
      const { cert: _cert, key: _key, ...withoutClientCert } = server.options.tls ?? {};
      await assert.rejects(connected({ ...server.options, tls: withoutClientCert }));
      await assert.rejects(connected({ host: '127.0.0.1', port: server.port }), 'no plain TCP');
    } finally {
      await server.stop();
    }
  });

  it('also listens on a Unix socket when asked', async () => {
    const server = await startRedisServer({ unixSocket: true });
    try {
      assert.ok(server.socketPath);
      const client = await connected({ path: server.socketPath });
      assert.equal(await client.ping(), 'PONG');
      client.disconnect();
    } finally {
      await server.stop();
    }
  });
});
