/** A pino level. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Where one Redis server listens: TCP (IPv6 hosts without brackets) or a Unix socket. */
export type RedisAddress = { host: string; port: number } | { path: string };

/** TLS towards Redis (reference/notify_push.md §3.4). The files are read at start-up. */
export interface RedisTlsSettings {
  /**
   * PEM CA bundle to trust instead of the system's (REDIS_TLS_CA, ssl_context.cafile).
   * @defaultValue undefined
   */
  caPath?: string;
  /**
   * PEM client certificate (REDIS_TLS_CERT, ssl_context.local_cert); set with `keyPath`.
   * @defaultValue undefined
   */
  certPath?: string;
  /** PEM key of `certPath` (REDIS_TLS_KEY, ssl_context.local_pk). @defaultValue undefined */
  keyPath?: string;
  /**
   * Accept a certificate issued for another host name (REDIS_TLS_DONT_VALIDATE_HOSTNAME,
   * ssl_context.verify_peer_name false); the chain is still verified. @defaultValue false
   */
  dontValidateHostname: boolean;
  /**
   * Accept any certificate, trusted or not (REDIS_TLS_INSECURE, ssl_context.verify_peer false).
   * @defaultValue false
   */
  insecure: boolean;
}

/** The Redis the gateway subscribes to and keeps the self-test keys in. Unset fields are absent. */
export interface RedisConfig {
  /** The one server, or the seed nodes of a cluster (at least one). */
  nodes: RedisAddress[];
  /**
   * Speak Redis Cluster: `--redis-url` given twice or more, or config.php `redis.cluster`.
   * @defaultValue false
   */
  cluster: boolean;
  /** ACL user name. @defaultValue undefined (the default user) */
  username?: string;
  /** Password for AUTH, of `username` or the default user. @defaultValue undefined (no AUTH) */
  password?: string;
  /** Database index of the keys; pub/sub ignores it, a cluster has only 0. @defaultValue 0 */
  db: number;
  /**
   * Connect with TLS (`rediss://`, a `tls://` host or an `ssl_context` in config.php).
   * @defaultValue undefined (plain TCP or a Unix socket)
   */
  tls?: RedisTlsSettings;
}

/** The gateway's configuration, notify_push compatible (reference/notify_push.md §5). */
export interface Config {
  /** Nextcloud base URL, always ending in '/'. NEXTCLOUD_URL / --nextcloud-url / overwrite.cli.url */
  nextcloudUrl: string;
  /** Nextcloud database URL (postgres://, postgresql://, mysql://, mariadb://, sqlite:...). */
  databaseUrl: string;
  /** Table prefix, letters, digits and `_` only (it is put into SQL unquoted). @defaultValue 'oc_' */
  databasePrefix: string;
  redis: RedisConfig;
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
  /** Solid Notifications; `undefined` when there is no PostgreSQL for the channel store. */
  solid: SolidConfig | undefined;
  /** Basic password of user `admin` for `/admin/queues`; the dashboard is off without it. */
  adminPassword: string | undefined;
}

/** The Solid Notifications side (PUBLIC_URL, GATEWAY_DATABASE_URL, SOLID_*). */
export interface SolidConfig {
  /**
   * Nextcloud's URL as clients see it, ending in '/': topics are its WebDAV URLs, and the Solid
   * app's issuer and WebIDs live under it. @defaultValue nextcloudUrl (without credentials)
   */
  nextcloudUrl: string;
  /** Base of every URL the gateway hands out, ending in '/'. @defaultValue `{nextcloudUrl}push/` */
  publicUrl: string;
  /** PostgreSQL for the channel store. @defaultValue databaseUrl when it is PostgreSQL */
  databaseUrl: string;
  /** Longest channel lifetime, seconds. @defaultValue 1_209_600 (14 days) */
  maxChannelDuration: number;
  /** Live channels per user. @defaultValue 1_000 */
  channelQuota: number;
  /** Trusted Solid-OIDC issuers. @defaultValue [nextcloudUrl] */
  oidcIssuers: string[];
  /** WebID forms of Nextcloud users; empty means the Solid app's own forms. @defaultValue [] */
  webIdTemplates: string[];
  webhooks: WebhookConfig;
}

/** WebhookChannel2023 delivery (WEBHOOK_*). */
export interface WebhookConfig {
  /** Addresses and CIDR blocks the SSRF guard lets through (and http:// to). @defaultValue [] */
  allowedDestinations: string[];
  /** Run a delivery worker in this process. @defaultValue true */
  worker: boolean;
  /** Delays between attempts, ms. @defaultValue 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h */
  retryScheduleMs: number[];
  /** A destination failing this long has its channels ended, ms. @defaultValue 5 days */
  disableAfterMs: number;
  /** Longest wait for a receiver, ms. @defaultValue 15_000 */
  timeoutMs: number;
}
