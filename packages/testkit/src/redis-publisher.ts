import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { phpJsonEncode } from './php-json.js';

/**
 * The notify_push app's `RedisQueue`: PUBLISH of `json_encode`d payloads, and GET/SET of the
 * few keys the app shares with the push server (reference/notify_push.md §3.1, §3.3).
 */
export class RedisPublisher {
  readonly #redis: Redis;

  private constructor(redis: Redis) {
    this.#redis = redis;
  }

  /** Connects, failing (and leaving nothing running) when Redis does not answer. */
  static async connect(options: RedisOptions | string, logger: Logger): Promise<RedisPublisher> {
    const redis =
      typeof options === 'string'
        ? new Redis(options, { lazyConnect: true })
        : new Redis({ ...options, lazyConnect: true });
    let reported = false;
    // ioredis reconnects by itself; one line per outage is enough.
    redis.on('error', (err: Error) => {
      if (!reported) logger.warn({ err: err.message }, 'simulated Nextcloud lost Redis');
      reported = true;
    });
    redis.on('ready', () => {
      reported = false;
    });
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    return new RedisPublisher(redis);
  }

  /** PUBLISHes `message` as PHP encodes it; a string is sent verbatim (for malformed payloads). */
  async publish(channel: string, message: unknown): Promise<void> {
    const raw = typeof message === 'string' ? message : phpJsonEncode(message);
    await this.#redis.publish(channel, raw);
  }

  async get(key: string): Promise<string | null> {
    return this.#redis.get(key);
  }

  async set(key: string, value: string): Promise<void> {
    await this.#redis.set(key, value);
  }

  async close(): Promise<void> {
    if (this.#redis.status === 'ready') await this.#redis.quit();
    else this.#redis.disconnect();
  }
}
