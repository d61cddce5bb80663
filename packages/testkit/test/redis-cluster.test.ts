import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { startRedisCluster } from '../src/index.js';

describe('startRedisCluster', () => {
  it('starts three masters that share the slots and serve keys through a cluster client', async () => {
    const cluster = await startRedisCluster();
    const client = new Cluster(
      cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    try {
      assert.equal(cluster.nodes.length, 3);
      for (const key of ['a', 'b', 'c', 'd']) await client.set(key, key.toUpperCase());
      assert.deepEqual(await client.mget('a'), ['A']);
      assert.equal(client.nodes('master').length, 3);
    } finally {
      client.disconnect();
      await cluster.stop();
    }
  });
});
