import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

export interface FailureClockOptions {
  redis: Redis | Cluster;
  /** Prefix of the clock keys, e.g. the queue's keys, so a cluster keeps them in its slot. */
  keyPrefix: string;
  /** How long a destination may fail without a success before it is disabled. */
  disableAfterMs: number;
}

/**
 * Records a failure and answers 1 when the destination has failed for longer than the period
 * since its first failure; that also deletes the clock, so one caller in the whole deployment
 * gets the 1, and a destination still failing afterwards starts a new period. One script, so
 * replicas failing the same destination at once cannot both see the clock run out.
 * KEYS[1] clock; ARGV now, period, time to live (ms).
 */
const FAILED_SCRIPT = `
local first = redis.call('GET', KEYS[1])
if not first then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return 0
end
if tonumber(ARGV[1]) - tonumber(first) <= tonumber(ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** How often a URL that keeps succeeding has its clock deleted, at most. */
const CLEAR_INTERVAL_MS = 1_000;
/** URLs remembered as recently cleared before the memory starts over. */
const MAX_REMEMBERED = 10_000;

/**
 * When each destination (a URL) started failing without a success since: Svix's mechanism for
 * disabling an endpoint (reference/ecosystem.md §3.2). The first failure's time is kept in Redis,
 * shared by the replicas, with a time to live of twice the period, so failures spread thinner
 * than that are forgiven; any success deletes it.
 *
 * A busy destination succeeds hundreds of times a second, and one delete a second says the
 * same: successes within a second of this clock's last delete, with no failure seen here since,
 * skip it. A failure another replica recorded in that second is cleared by the next success a
 * second later, far inside a period of days.
 */
export class FailureClock {
  readonly #redis: Redis | Cluster;
  readonly #keyPrefix: string;
  readonly #periodMs: number;
  /** URL → when this clock last deleted its key. */
  readonly #cleared = new Map<string, number>();

  constructor(options: FailureClockOptions) {
    this.#redis = options.redis;
    this.#keyPrefix = options.keyPrefix;
    this.#periodMs = options.disableAfterMs;
  }

  /** Records a failure; `true` (for one caller) when the destination is now to be disabled. */
  async failed(url: string, now: number): Promise<boolean> {
    this.#cleared.delete(url);
    const expired = await this.#redis.eval(
      FAILED_SCRIPT,
      1,
      this.#key(url),
      now,
      this.#periodMs,
      Math.ceil(2 * this.#periodMs),
    );
    return expired === 1;
  }

  async succeeded(url: string, now = Date.now()): Promise<void> {
    const last = this.#cleared.get(url);
    if (last !== undefined && now - last < CLEAR_INTERVAL_MS) return;
    if (this.#cleared.size >= MAX_REMEMBERED) this.#cleared.clear();
    this.#cleared.set(url, now);
    await this.#redis.del(this.#key(url));
  }

  /** URLs are hashed: they can be long and carry tokens, and the key needs neither. */
  #key(url: string): string {
    return `${this.#keyPrefix}failing:${createHash('sha256').update(url).digest('base64url')}`;
  }
}
