import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/**
 * Remembers single-use values, such as DPoP proof `jti`s (RFC 9449 §11.1), for as long as they
 * could be accepted.
 */
export interface ReplayGuard {
  /** Resolves `true` the first time `key` is seen within `ttlMs`, `false` for a replay. */
  firstUse(key: string, ttlMs: number): Promise<boolean>;
}

/** `SET key value PX ttl NX`, resolving whether the key was new. */
export type SetIfAbsent = (key: string, value: string, ttlMs: number) => Promise<boolean>;

export interface RedisReplayGuardOptions {
  /**
   * Runs `SET … PX … NX` on Redis, a single node or a cluster (each check is one single-key
   * command): the gateway's command link, or {@link ioredisSetIfAbsent} of a client.
   */
  setIfAbsent: SetIfAbsent;
  /** Key prefix. @defaultValue 'notify-gateway:dpop-jti:' */
  prefix?: string;
}

/**
 * The replay guard shared by every gateway replica: a proof replayed against another replica is
 * still refused. `SET … NX` is atomic, so two replicas racing on one proof cannot both win.
 * Rejects when Redis cannot answer.
 */
export class RedisReplayGuard implements ReplayGuard {
  readonly #setIfAbsent: SetIfAbsent;
  readonly #prefix: string;

  constructor(options: RedisReplayGuardOptions) {
    this.#setIfAbsent = options.setIfAbsent;
    this.#prefix = options.prefix ?? 'notify-gateway:dpop-jti:';
  }

  async firstUse(key: string, ttlMs: number): Promise<boolean> {
    // Hashed: keys are client-chosen, so their length and bytes are bounded this way.
    const stored = `${this.#prefix}${sha256(key)}`;
    return this.#setIfAbsent(stored, '1', ttl(ttlMs));
  }
}

/** {@link SetIfAbsent} over an ioredis client or cluster. */
export function ioredisSetIfAbsent(redis: Redis | Cluster): SetIfAbsent {
  return async (key, value, ttlMs) => (await redis.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
}

export interface MemoryReplayGuardOptions {
  /**
   * Most remembered keys. When full, the oldest is forgotten even if unexpired, which re-opens
   * its replay window: size it above the request rate times the TTL. @defaultValue 100_000
   */
  maxEntries?: number;
  /** Clock in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
}

/** A replay guard for a single gateway process, and for tests. */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Hashed key → expiry, in insertion order. */
  readonly #entries = new Map<string, number>();

  constructor(options: MemoryReplayGuardOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    if (!(this.#maxEntries >= 1)) throw new RangeError(`invalid maxEntries ${this.#maxEntries}`);
    this.#now = options.now ?? Date.now;
  }

  async firstUse(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const hashed = sha256(key);
    const expiry = this.#entries.get(hashed);
    if (expiry !== undefined && now < expiry) return false;
    this.#entries.delete(hashed);
    this.#forgetExpired(now);
    if (this.#entries.size >= this.#maxEntries) this.#forgetOldest();
    this.#entries.set(hashed, now + ttl(ttlMs));
    return true;
  }

  /** The verifier uses one TTL, so entries expire in insertion order: stop at the first live one. */
  #forgetExpired(now: number): void {
    for (const [key, expiry] of this.#entries) {
      if (expiry > now) return;
      this.#entries.delete(key);
    }
  }

  #forgetOldest(): void {
    const oldest = this.#entries.keys().next().value;
    if (oldest !== undefined) this.#entries.delete(oldest);
  }
}

function sha256(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** Redis refuses a `PX` of 0 or a fraction. */
function ttl(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
