import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** The seed nodes of a Redis Cluster and the ioredis options every node shares. */
export interface RedisClusterTarget {
  seeds: { host: string; port: number }[];
  nodeOptions: RedisOptions;
}

/** One Redis server's ioredis options (host/port/path/username/password/db/tls), or a cluster. */
export type RedisTarget = RedisOptions | RedisClusterTarget;

/** Where the webhook queue lives; its producers and workers must agree on all of it. */
export interface QueueLocation {
  redis: RedisTarget;
  /** The BullMQ queue name. @defaultValue 'webhooks' */
  name?: string;
  /**
   * The BullMQ key prefix. It must begin with a Redis Cluster hash tag (`{…}`): BullMQ's Lua
   * scripts touch several keys of a queue at once (wait, active, delayed, the job, its lock, the
   * events stream), and a cluster runs a script only when all its keys live in one slot, so the
   * tag puts every key of the queue there (BullMQ docs, patterns/redis-cluster.md). Give other
   * queues other tags, so they spread over the nodes. @defaultValue '{gw-webhooks}'
   */
  prefix?: string;
}

/** The queue's name and prefix, defaults applied and checked. */
export function queueKeys(location: QueueLocation): { name: string; prefix: string } {
  const name = location.name ?? 'webhooks';
  const prefix = location.prefix ?? '{gw-webhooks}';
  if (!/^\{[^{}]+\}/.test(prefix)) {
    throw new TypeError(`queue prefix ${JSON.stringify(prefix)} must begin with a {hash tag}`);
  }
  if (name === '' || name.includes(':')) {
    throw new TypeError(`invalid queue name ${JSON.stringify(name)}`);
  }
  return { name, prefix };
}

/**
 * A new ioredis client for the target. The queue and the worker make their own, so each can
 * set what BullMQ needs of it (`overrides`), and close it themselves: BullMQ leaves clients it
 * was given open.
 */
export function connectRedis(target: RedisTarget, overrides: RedisOptions): Redis | Cluster {
  if ('seeds' in target) {
    return new Cluster(target.seeds, {
      redisOptions: { ...target.nodeOptions, ...overrides },
      ...(overrides.enableOfflineQueue === undefined
        ? {}
        : { enableOfflineQueue: overrides.enableOfflineQueue }),
    });
  }
  return new Redis({ ...target, ...overrides });
}
