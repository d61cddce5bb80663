interface PreAuthEntry {
  readonly user: string;
  readonly expiresAt: number;
}

/**
 * `notify_pre_auth` tokens (reference/notify_push.md §2.4): each valid once, until it expires.
 * Entries are kept in arrival order, which with one fixed lifetime is also expiry order, so
 * purging stops at the first live entry. The store is bounded: past `capacity` the oldest token
 * goes, since whoever can publish to Redis could otherwise grow it without end.
 */
export class PreAuthStore {
  readonly #tokens = new Map<string, PreAuthEntry>();

  /**
   * @param ttlMs how long a token stays valid
   * @param capacity how many unexpired tokens are kept at most
   */
  constructor(
    readonly ttlMs: number,
    readonly capacity: number,
  ) {}

  get size(): number {
    return this.#tokens.size;
  }

  add(user: string, token: string, now: number): void {
    this.#purge(now);
    // Re-adding moves the token to the end, keeping arrival order equal to expiry order.
    this.#tokens.delete(token);
    this.#tokens.set(token, { user, expiresAt: now + this.ttlMs });
    for (const oldest of this.#tokens.keys()) {
      if (this.#tokens.size <= this.capacity) break;
      this.#tokens.delete(oldest);
    }
  }

  /** The token's user, consuming the token; `undefined` when unknown or expired. */
  take(token: string, now: number): string | undefined {
    this.#purge(now);
    const entry = this.#tokens.get(token);
    if (entry === undefined) return undefined;
    this.#tokens.delete(token);
    return entry.user;
  }

  #purge(now: number): void {
    for (const [token, entry] of this.#tokens) {
      if (entry.expiresAt > now) return;
      this.#tokens.delete(token);
    }
  }
}
