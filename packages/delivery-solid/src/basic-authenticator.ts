import { createHmac, randomBytes } from 'node:crypto';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
  BASIC_CHALLENGE,
} from './authentication-error.js';

export interface BasicAuthenticatorOptions {
  /**
   * Nextcloud's check (`index.php/apps/notify_push/uid`): resolves the uid, `undefined` for wrong
   * credentials, and rejects when Nextcloud cannot answer.
   */
  verify(
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string | undefined>;
  /**
   * How long a successful check is reused. A revoked app password keeps working this long.
   * @defaultValue 60_000
   */
  ttlMs?: number;
  /** Most cached checks; the oldest goes first. @defaultValue 10_000 */
  maxEntries?: number;
  /** Clock in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
}

interface Entry {
  uid: string;
  validUntil: number;
}

/**
 * HTTP Basic with Nextcloud credentials or app passwords, checked by Nextcloud and cached briefly
 * so that a client subscribing to many topics costs one round trip.
 *
 * Entries are keyed by an HMAC of the credentials under a random per-process key: neither the
 * password nor an offline-guessable hash of it is ever stored, and since the key is secret, the
 * timing of a lookup says nothing about stored passwords. Wrong credentials are not cached, so
 * every attempt reaches Nextcloud and its brute-force throttling (hence `forwardedFor`).
 */
export class BasicAuthenticator {
  readonly #verify: BasicAuthenticatorOptions['verify'];
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #hmacKey = randomBytes(32);
  readonly #entries = new Map<string, Entry>();
  readonly #checking = new Map<string, Promise<string | undefined>>();

  constructor(options: BasicAuthenticatorOptions) {
    this.#verify = options.verify;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!(this.#ttlMs >= 0)) throw new RangeError(`invalid TTL ${this.#ttlMs} ms`);
    if (!(this.#maxEntries >= 1)) throw new RangeError(`invalid maxEntries ${this.#maxEntries}`);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Resolves the uid. Rejects with {@link AuthenticationError} for wrong credentials and with
   * {@link AuthenticationUnavailableError} when Nextcloud cannot answer.
   */
  async authenticate(
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string> {
    const key = this.#cacheKey(username, password);
    const uid = this.#cached(key) ?? (await this.#check(key, username, password, forwardedFor));
    if (uid === undefined) {
      throw new AuthenticationError(
        'invalid_token',
        'invalid Nextcloud credentials',
        BASIC_CHALLENGE,
      );
    }
    return uid;
  }

  #cacheKey(username: string, password: string): string {
    // JSON keeps the pair unambiguous: "a:b" + "c" and "a" + "b:c" must not collide.
    return createHmac('sha256', this.#hmacKey)
      .update(JSON.stringify([username, password]))
      .digest('base64url');
  }

  #cached(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() < entry.validUntil) return entry.uid;
    this.#entries.delete(key);
    return undefined;
  }

  /** Single flight: concurrent checks of the same credentials share one call to Nextcloud. */
  #check(
    key: string,
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string | undefined> {
    const running = this.#checking.get(key);
    if (running !== undefined) return running;
    const check = this.#callVerify(username, password, forwardedFor)
      .then((uid) => {
        if (uid !== undefined) this.#store(key, uid);
        return uid;
      })
      .finally(() => this.#checking.delete(key));
    this.#checking.set(key, check);
    return check;
  }

  async #callVerify(
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string | undefined> {
    try {
      return await this.#verify(username, password, forwardedFor);
    } catch (err) {
      throw new AuthenticationUnavailableError('Nextcloud could not check the credentials', {
        cause: err,
      });
    }
  }

  #store(key: string, uid: string): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order, so the first key is the oldest entry.
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { uid, validUntil: this.#now() + this.#ttlMs });
  }
}
