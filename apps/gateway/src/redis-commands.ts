import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisClusterTarget } from './redis-connection.js';

export interface RedisCommandsOptions {
  /**
   * Where Redis is: one server's ioredis options (host/port/path/username/password/db/tls), or
   * the seed nodes of a Redis Cluster.
   */
  redis: RedisOptions | RedisClusterTarget;
  logger: Logger;
  /**
   * Longest wait for one command, queueing included: a dead Redis fails the command instead of
   * hanging it. @defaultValue 2_000
   */
  commandTimeoutMs?: number;
}

/** A command failed because the link to Redis is down; says why it is down. */
export class RedisUnavailableError extends Error {
  constructor(reason: string) {
    super(`Redis is unreachable: ${reason}`);
    this.name = 'RedisUnavailableError';
  }
}

/** Redis did not answer a command in time (it is down, or the cluster is still connecting). */
export class RedisCommandTimeoutError extends Error {
  constructor(command: string, ms: number) {
    super(`Redis did not answer ${command} within ${ms} ms`);
    this.name = 'RedisCommandTimeoutError';
  }
}

const reconnectDelay = (attempt: number) => Math.min(5_000, 100 * 2 ** attempt);

/**
 * The GET/SET/DEL connection for the keys the push server shares with the app (`test-token`,
 * `notify_push_version`, `notify_push_metrics`, ... reference/notify_push.md §3.3). The
 * subscriber connection cannot run commands, so this is a second one; for a cluster it is an
 * ioredis Cluster, which sends each key to the node that owns it. It reconnects by itself; a
 * command issued while it is (re)connecting waits for the link, at most the command timeout.
 */
export class RedisCommands {
  readonly #redis: Redis | Cluster;
  readonly #timeoutMs: number;
  /** Why the link is down, while it is; a failed command then says so. */
  #downBecause: string | undefined;

  constructor(options: RedisCommandsOptions) {
    this.#timeoutMs = options.commandTimeoutMs ?? 2_000;
    const target = options.redis;
    this.#redis =
      'seeds' in target
        ? new Cluster(target.seeds, {
            redisOptions: { ...target.nodeOptions, maxRetriesPerRequest: 0 },
            clusterRetryStrategy: reconnectDelay,
          })
        : new Redis({ ...target, maxRetriesPerRequest: 0, retryStrategy: reconnectDelay });
    // ioredis retries by itself; one line per outage is enough.
    this.#redis.on('error', (err: Error) => {
      if (this.#downBecause === undefined) {
        options.logger.warn({ reason: err.message }, 'Redis command link lost');
      }
      this.#downBecause = err.message;
    });
    this.#redis.on('ready', () => {
      this.#downBecause = undefined;
    });
  }

  get(key: string): Promise<string | null> {
    return this.#timed('GET', this.#redis.get(key));
  }

  async set(key: string, value: string): Promise<void> {
    await this.#timed('SET', this.#redis.set(key, value));
  }

  async del(key: string): Promise<void> {
    await this.#timed('DEL', this.#redis.del(key));
  }

  /** PUBLISHes on a pub/sub channel (a cluster broadcasts it to every node). */
  async publish(channel: string, message: string): Promise<void> {
    await this.#timed('PUBLISH', this.#redis.publish(channel, message));
  }

  /** SET key value PX ttl NX: resolves whether the key was new. */
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.#timed('SET', this.#redis.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async close(): Promise<void> {
    const redis = this.#redis;
    if (redis.status === 'end') return;
    // Between reconnect attempts there is no connection to close, and ioredis then never
    // reports 'end'; disconnect() still cancels the next attempt.
    const between = redis.status === 'reconnecting';
    const ended = new Promise((resolve) => redis.once('end', resolve));
    redis.disconnect();
    if (!between) await ended;
  }

  /**
   * A cluster that is still connecting queues commands without limit (ioredis's commandTimeout
   * applies only on a node), so the wait is bounded here, the same way for both kinds.
   */
  async #timed<T>(command: string, reply: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisCommandTimeoutError(command, this.#timeoutMs)),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([reply, timeout]);
    } catch (err) {
      // ioredis's own words for a dead link ("max retries per request") hide the cause.
      const answered = err instanceof Error && err.name === 'ReplyError';
      if (!answered && this.#downBecause !== undefined) {
        throw new RedisUnavailableError(this.#downBecause);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
