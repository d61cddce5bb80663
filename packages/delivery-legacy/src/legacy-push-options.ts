import type { Logger } from 'pino';

export interface LegacyPushOptions {
  /**
   * Checks a username/password against Nextcloud and resolves the canonical uid. Rejects with an
   * Error whose message is sent to the client as `err: ${message}` (e.g. `Invalid credentials`).
   * `forwardedFor` is the client's address chain, the TCP peer last.
   */
  verifyCredentials(
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string>;
  logger: Logger;
  /** Cap of the file/activity debounce base, seconds. @defaultValue 15 */
  maxDebounceTime?: number;
  /** Send every message at once instead of debouncing. @defaultValue false */
  debounceDisabled?: boolean;
  /** Close a connection (code 1000) this long after it opened, ms; 0 = never. @defaultValue 0 */
  maxConnectionTimeMs?: number;
  /** Live connections allowed per uid; the next one is refused. @defaultValue 65 */
  connectionsPerUser?: number;
  /** Time for the whole handshake (both frames and the credential check), ms. @defaultValue 15_000 */
  authTimeoutMs?: number;
  /** How long a `notify_pre_auth` token stays valid, ms. @defaultValue 15_000 */
  preAuthTtlMs?: number;
  /** Unexpired pre-auth tokens kept at most; the oldest are dropped. @defaultValue 10_000 */
  maxPreAuthTokens?: number;
  /** Send a Ping after this long without sending anything, ms. @defaultValue 30_000 */
  pingIntervalMs?: number;
  /** Bytes queued in a socket above which nothing more is written to it. @defaultValue 65_536 */
  sendHighWaterMark?: number;
  /**
   * True when listening on a Unix socket: the peer address is not appended to X-Forwarded-For.
   * @defaultValue false
   */
  unixSocket?: boolean;
  /**
   * Period of the one service-wide tick that flushes due debounced messages, ms. Pings and the
   * max connection time are checked on the tick too, every tenth of their interval (at most
   * every second). @defaultValue 50
   */
  tickIntervalMs?: number;
  /** How long `close()` waits for clients to answer the close frame before cutting them, ms. @defaultValue 2_000 */
  closeGraceMs?: number;
}

export type ResolvedLegacyPushOptions = Required<LegacyPushOptions>;

const DEFAULTS = {
  maxDebounceTime: 15,
  debounceDisabled: false,
  maxConnectionTimeMs: 0,
  connectionsPerUser: 65,
  authTimeoutMs: 15_000,
  preAuthTtlMs: 15_000,
  maxPreAuthTokens: 10_000,
  pingIntervalMs: 30_000,
  sendHighWaterMark: 64 * 1024,
  unixSocket: false,
  tickIntervalMs: 50,
  closeGraceMs: 2_000,
} satisfies Omit<ResolvedLegacyPushOptions, 'verifyCredentials' | 'logger'>;

/** At least this much; `connectionsPerUser` and the intervals must be positive. */
const MINIMUMS: Partial<Record<keyof typeof DEFAULTS, number>> = {
  maxDebounceTime: 0,
  maxConnectionTimeMs: 0,
  connectionsPerUser: 1,
  authTimeoutMs: 1,
  preAuthTtlMs: 1,
  maxPreAuthTokens: 1,
  pingIntervalMs: 1,
  sendHighWaterMark: 0,
  tickIntervalMs: 1,
  closeGraceMs: 0,
};

/** Fills in defaults; throws a RangeError naming the option for a negative or non-finite value. */
export function resolveLegacyPushOptions(options: LegacyPushOptions): ResolvedLegacyPushOptions {
  const defined = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as LegacyPushOptions;
  const resolved: ResolvedLegacyPushOptions = { ...DEFAULTS, ...defined };
  for (const [name, minimum] of Object.entries(MINIMUMS)) {
    const value = resolved[name as keyof typeof DEFAULTS];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum) {
      throw new RangeError(`${name} must be a finite number >= ${minimum}, got ${String(value)}`);
    }
  }
  return resolved;
}
