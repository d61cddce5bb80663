/** A pino level. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** ioredis-compatible single-node target. Unset fields are absent. */
export interface RedisTarget {
  /** TCP host (IPv6 without brackets); absent for a Unix socket. */
  host?: string;
  /** TCP port; absent for a Unix socket. */
  port?: number;
  /** Unix socket path; absent for TCP. */
  path?: string;
  /** ACL user name. */
  username?: string;
  password?: string;
  /** @defaultValue 0 */
  db?: number;
  /** Connect with TLS (`rediss://`, or a `tls://` host in config.php); absent when plain. */
  tls?: boolean;
}

/** The gateway's configuration, notify_push compatible (reference/notify_push.md §5). */
export interface Config {
  /** Nextcloud base URL, always ending in '/'. NEXTCLOUD_URL / --nextcloud-url / overwrite.cli.url */
  nextcloudUrl: string;
  /** Nextcloud database URL (postgres://, postgresql://, mysql://, mariadb://, sqlite:...). */
  databaseUrl: string;
  /** Table prefix, letters, digits and `_` only (it is put into SQL unquoted). @defaultValue 'oc_' */
  databasePrefix: string;
  redis: RedisTarget;
  /** Listen port; 0 picks a free one. @defaultValue 7867 */
  port: number;
  /** Listen IP address. @defaultValue '::' */
  bind: string;
  /** pino level derived from LOG / --log-level (flexi_logger spec). @defaultValue 'warn' */
  logLevel: LogLevel;
  /** seconds @defaultValue 15 */
  maxDebounceTime: number;
  /** seconds, 0 = unlimited @defaultValue 0 */
  maxConnectionTime: number;
  /** Deliver every message at once (DEBOUNCE_DISABLE, for testing). @defaultValue false */
  debounceDisable: boolean;
  /** Skip TLS certificate checks towards Nextcloud. @defaultValue false */
  allowSelfSigned: boolean;
  /** Plain log output without colours (NO_ANSI / --no-ansi). @defaultValue false */
  noAnsi: boolean;
  /** User-Agent for requests to Nextcloud; none by default. */
  userAgent: string | undefined;
  /** Listen on this Unix socket instead of TCP. @defaultValue undefined */
  socketPath: string | undefined;
  /** Mode of the Unix socket files (main and metrics). @defaultValue 0o660 */
  socketPermissions: number;
  /** Serve `/metrics` on this TCP port; off when unset. @defaultValue undefined */
  metricsPort: number | undefined;
  /** Serve `/metrics` on this Unix socket; wins over `metricsPort`. @defaultValue undefined */
  metricsSocketPath: string | undefined;
  /** Serve TLS directly: PEM certificate and key paths, both or neither. @defaultValue undefined */
  tls: { certPath: string; keyPath: string } | undefined;
}
