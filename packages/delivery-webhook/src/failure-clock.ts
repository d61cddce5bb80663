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

/**
 * When each destination (a URL) started failing without a success since: Svix's mechanism for
 * disabling an endpoint (reference/ecosystem.md §3.2). The first failure's time is kept in Redis,
 * shared by the replicas, with a time to live of twice the period, so failures spread thinner
 * than that are forgiven; any success deletes it.
 */
export class FailureClock {
  readonly #redis: Redis | Cluster;
  readonly #keyPrefix: string;
  readonly #periodMs: number;

  constructor(options: FailureClockOptions) {
    this.#redis = options.redis;
    this.#keyPrefix = options.keyPrefix;
    this.#periodMs = options.disableAfterMs;
  }

  /** Records a failure; `true` (for one caller) when the destination is now to be disabled. */
  async failed(url: string, now: number): Promise<boolean> {
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

  async succeeded(url: string): Promise<void> {
    await this.#redis.del(this.#key(url));
  }

  /** URLs are hashed: they can be long and carry tokens, and the key needs neither. */
  #key(url: string): string {
    return `${this.#keyPrefix}failing:${createHash('sha256').update(url).digest('base64url')}`;
  }
}
