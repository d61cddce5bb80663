import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisCommandsOptions {
  /** Where Redis is (host/port/path/username/password/db/tls). */
  redis: RedisOptions;
  logger: Logger;
  /**
   * Longest wait for one command, queueing included: a dead Redis fails the command instead of
   * hanging it. @defaultValue 2_000
   */
  commandTimeoutMs?: number;
}

/**
 * The GET/SET/DEL connection for the keys the push server shares with the app (`test-token`,
 * `notify_push_version`, `notify_push_metrics`, ... reference/notify_push.md §3.3). The
 * subscriber connection cannot run commands, so this is a second one. It reconnects by itself;
 * a command issued while it is (re)connecting waits for the link, at most the command timeout.
 */
export class RedisCommands {
  readonly #redis: Redis;

  constructor(options: RedisCommandsOptions) {
    this.#redis = new Redis({
      ...options.redis,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 2_000,
      retryStrategy: (attempt) => Math.min(5_000, 100 * 2 ** attempt),
    });
    let reported = false;
    // ioredis retries by itself; one line per outage is enough.
    this.#redis.on('error', (err: Error) => {
      if (!reported) options.logger.warn({ reason: err.message }, 'Redis command link lost');
      reported = true;
    });
    this.#redis.on('ready', () => {
      reported = false;
    });
  }

  get(key: string): Promise<string | null> {
    return this.#redis.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    await this.#redis.set(key, value);
  }

  async del(key: string): Promise<void> {
    await this.#redis.del(key);
  }

  async close(): Promise<void> {
    const ended = new Promise((resolve) => this.#redis.once('end', resolve));
    this.#redis.disconnect();
    if (this.#redis.status !== 'end') await ended;
  }
}
