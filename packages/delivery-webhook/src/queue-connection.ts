import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

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
 * was given open. ioredis retries a lost link by itself and reports every failed attempt; the
 * client logs one line per outage, naming `link`, and one when it is back.
 */
export function connectRedis(
  target: RedisTarget,
  overrides: RedisOptions,
  outages: { logger: Logger; link: string },
): Redis | Cluster {
  const client =
    'seeds' in target
      ? new Cluster(target.seeds, {
          redisOptions: { ...target.nodeOptions, ...overrides },
          ...(overrides.enableOfflineQueue === undefined
            ? {}
            : { enableOfflineQueue: overrides.enableOfflineQueue }),
        })
      : new Redis({ ...target, ...overrides });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) outages.logger.warn({ reason: err.message }, `${outages.link} lost its Redis link`);
    down = true;
  });
  client.on('ready', () => {
    if (down) outages.logger.info(`${outages.link} has its Redis link back`);
    down = false;
  });
  return client;
}

/**
 * Whether an error BullMQ reports is worth a line: its client's link errors are logged once
 * per outage by connectRedis, and BullMQ re-emits each of them.
 */
export function isCommandError(client: Redis | Cluster): boolean {
  return client.status === 'ready';
}
