import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, type RedisServerProcess, startRedisServer } from './redis-server.js';

export interface RedisClusterOptions {
  /** How many masters; Redis needs at least 3. @defaultValue 3 */
  masters?: number;
}

/** A private Redis Cluster of masters on free loopback ports, without replicas. */
export interface RedisClusterProcess {
  /** The masters, in the order they were started; each owns a third of the slots (for 3). */
  nodes: RedisServerProcess[];
  /** Stops every node and removes the cluster's state files. */
  stop(): Promise<void>;
}

/**
 * Starts the masters with `--cluster-enabled yes`, joins them with `redis-cli --cluster create`
 * and waits until every node reports `cluster_state:ok`. The cluster keeps serving the slots of
 * the nodes that are up when one is killed (`cluster-require-full-coverage no`), so a test can
 * take one node away and go on.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisClusterProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-cluster-'));
  const nodes: RedisServerProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < (options.masters ?? 3); i++) {
      nodes.push(
        await startRedisServer({
          args: [
            ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `node-${i}.conf`)],
            // The bus port defaults to port + 10000, which may be taken or out of range.
            ...['--cluster-port', String(await freePort())],
            ...['--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no'],
          ],
        }),
      );
    }
    await promisify(execFile)('redis-cli', [
      ...['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`)],
      ...['--cluster-replicas', '0', '--cluster-yes'],
    ]);
    await Promise.all(nodes.map((node) => clusterStateOk(node)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, stop };
}

async function clusterStateOk(node: RedisServerProcess, timeoutMs = 10_000): Promise<void> {
  const client = new Redis({ ...node.options, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await client.connect();
    const deadline = Date.now() + timeoutMs;
    while (!String(await client.cluster('INFO')).includes('cluster_state:ok')) {
      if (Date.now() > deadline) {
        throw new Error(`Redis Cluster node ${node.port} not ok within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.disconnect();
  }
}
