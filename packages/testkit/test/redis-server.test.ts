import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer } from '../src/index.js';

describe('startRedisServer', () => {
  it('serves on its own port and comes back on the same port after a kill', async () => {
    const server = await startRedisServer();
    const client = () =>
      new Redis(server.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
    const first = client();
    await first.connect();
    await first.set('k', 'v');
    first.disconnect();
    await server.kill();
    await server.start();
    const second = client();
    await second.connect();
    assert.equal(await second.get('k'), null, 'a killed server kept nothing');
    second.disconnect();
    await server.stop();
  });
});
