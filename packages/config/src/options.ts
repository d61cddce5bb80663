import { ConfigError } from './config-error.js';
import { type SettingName, type Settings, settingsSchema } from './settings.js';

/** One setting as the command line and the environment spell it (reference §5.3). */
export interface OptionSpec {
  setting: SettingName;
  /** Environment variable, if the setting has one. */
  env: string;
  /** Long flag, e.g. `--port`. */
  flag: string;
  /** Short flag, e.g. `-p`. */
  short?: string;
  /** Value placeholder for the help text; absent for a switch, which takes no value. */
  value?: string;
  /**
   * How the environment variable turns a switch on: by being set at all (`presence`), by being
   * exactly `true` (anything else means off), or as a number 0-255 where non-zero means on and
   * anything else stops start-up (`u8`, upstream's REDIS_TLS_* parsing).
   */
  envSwitch?: 'presence' | 'true' | 'u8';
  /** The flag may be given more than once; the environment variable holds one value. */
  repeatable?: boolean;
  /** The value may hold a password, so error messages must not repeat it. */
  secret?: boolean;
  help: string;
  /** The default, as the help text shows it. */
  defaultText: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    setting: 'databaseUrl',
    env: 'DATABASE_URL',
    flag: '--database-url',
    value: '<URL>',
    secret: true,
    help: 'Nextcloud database URL (postgres://, mysql://, sqlite://...)',
    defaultText: 'built from config.php',
  },
  {
    setting: 'databasePrefix',
    env: 'DATABASE_PREFIX',
    flag: '--database-prefix',
    value: '<PREFIX>',
    help: 'Table prefix of the Nextcloud database',
    defaultText: 'config.php dbtableprefix, else oc_',
  },
  {
    setting: 'redis',
    env: 'REDIS_URL',
    flag: '--redis-url',
    value: '<URL>',
    repeatable: true,
    secret: true,
    help: 'Redis URL, e.g. rediss://user:pass@host:port/db or unix:///path; repeat for a cluster',
    defaultText: 'config.php notify_push_redis, redis.cluster or redis (127.0.0.1:6379)',
  },
  {
    setting: 'redisTlsCert',
    env: 'REDIS_TLS_CERT',
    flag: '--redis-tls-cert',
    value: '<PATH>',
    help: 'Client certificate for Redis over TLS (PEM), given together with its key',
    defaultText: 'config.php ssl_context local_cert, else none',
  },
  {
    setting: 'redisTlsKey',
    env: 'REDIS_TLS_KEY',
    flag: '--redis-tls-key',
    value: '<PATH>',
    help: 'Private key for --redis-tls-cert (PEM)',
    defaultText: 'config.php ssl_context local_pk, else none',
  },
  {
    setting: 'redisTlsCa',
    env: 'REDIS_TLS_CA',
    flag: '--redis-tls-ca',
    value: '<PATH>',
    help: 'CA certificates to trust for Redis over TLS (PEM)',
    defaultText: 'config.php ssl_context cafile, else the system CAs',
  },
  {
    setting: 'redisTlsDontValidateHostname',
    env: 'REDIS_TLS_DONT_VALIDATE_HOSTNAME',
    flag: '--redis-tls-dont-validate-hostname',
    envSwitch: 'u8',
    help: 'Accept a Redis certificate issued for another host name; the variable is 0 or 1',
    defaultText: 'off',
  },
  {
    setting: 'redisTlsInsecure',
    env: 'REDIS_TLS_INSECURE',
    flag: '--redis-tls-insecure',
    envSwitch: 'u8',
    help: 'Accept any Redis certificate, even an untrusted one; the variable is 0 or 1',
    defaultText: 'off',
  },
  {
    setting: 'nextcloudUrl',
    env: 'NEXTCLOUD_URL',
    flag: '--nextcloud-url',
    value: '<URL>',
    secret: true,
    help: 'URL the gateway reaches Nextcloud at',
    defaultText: 'config.php overwrite.cli.url',
  },
  {
    setting: 'port',
    env: 'PORT',
    flag: '--port',
    short: '-p',
    value: '<PORT>',
    help: 'TCP port to listen on',
    defaultText: '7867',
  },
  {
    setting: 'bind',
    env: 'BIND',
    flag: '--bind',
    value: '<IP>',
    help: 'IP address to listen on',
    defaultText: '::',
  },
  {
    setting: 'logLevel',
    env: 'LOG',
    flag: '--log-level',
    value: '<SPEC>',
    help: 'Log level as a flexi_logger spec, e.g. warn or notify_push=debug',
    defaultText: 'warn',
  },
  {
    setting: 'maxDebounceTime',
    env: 'MAX_DEBOUNCE_TIME',
    flag: '--max-debounce-time',
    value: '<SECONDS>',
    help: 'Longest delay of a debounced message',
    defaultText: '15',
  },
  {
    setting: 'maxConnectionTime',
    env: 'MAX_CONNECTION_TIME',
    flag: '--max-connection-time',
    value: '<SECONDS>',
    help: 'Make clients reconnect after this long; 0 = never',
    defaultText: '0',
  },
  {
    setting: 'debounceDisable',
    env: 'DEBOUNCE_DISABLE',
    flag: '--debounce-disable',
    envSwitch: 'presence',
    help: 'Send every message at once (for testing); the variable counts when set at all',
    defaultText: 'off',
  },
  {
    setting: 'allowSelfSigned',
    env: 'ALLOW_SELF_SIGNED',
    flag: '--allow-self-signed',
    envSwitch: 'true',
    help: 'Accept any TLS certificate from Nextcloud; the variable must be exactly "true"',
    defaultText: 'off',
  },
  {
    setting: 'noAnsi',
    env: 'NO_ANSI',
    flag: '--no-ansi',
    envSwitch: 'true',
    help: 'Log without colours; the variable must be exactly "true"',
    defaultText: 'off',
  },
  {
    setting: 'socketPath',
    env: 'SOCKET_PATH',
    flag: '--socket-path',
    value: '<PATH>',
    help: 'Listen on this Unix socket instead of TCP (an old socket file is replaced)',
    defaultText: 'none',
  },
  {
    setting: 'socketPermissions',
    env: 'SOCKET_PERMISSIONS',
    flag: '--socket-permissions',
    value: '<MODE>',
    help: 'File mode of the Unix sockets (main and metrics)',
    defaultText: '0660',
  },
  {
    setting: 'metricsPort',
    env: 'METRICS_PORT',
    flag: '--metrics-port',
    short: '-m',
    value: '<PORT>',
    help: 'Serve /metrics on this TCP port (same bind address)',
    defaultText: 'none (off)',
  },
  {
    setting: 'metricsSocketPath',
    env: 'METRICS_SOCKET_PATH',
    flag: '--metrics-socket-path',
    value: '<PATH>',
    help: 'Serve /metrics on this Unix socket (wins over --metrics-port)',
    defaultText: 'none',
  },
  {
    setting: 'tlsCert',
    env: 'TLS_CERT',
    flag: '--tls-cert',
    value: '<PATH>',
    help: 'Serve HTTPS/WSS with this certificate (PEM; needs --tls-key)',
    defaultText: 'none',
  },
  {
    setting: 'tlsKey',
    env: 'TLS_KEY',
    flag: '--tls-key',
    value: '<PATH>',
    help: 'Private key for --tls-cert (PEM)',
    defaultText: 'none',
  },
  {
    setting: 'nextcloudPublicUrl',
    env: 'NEXTCLOUD_PUBLIC_URL',
    flag: '--nextcloud-public-url',
    value: '<URL>',
    help: "Nextcloud's URL as clients see it: Solid topics are its WebDAV URLs",
    defaultText: 'NEXTCLOUD_URL',
  },
  {
    setting: 'publicUrl',
    env: 'PUBLIC_URL',
    flag: '--public-url',
    value: '<URL>',
    help: 'Public base URL of the gateway, which every Solid URL it hands out starts with',
    defaultText: 'NEXTCLOUD_PUBLIC_URL followed by push/',
  },
  {
    setting: 'gatewayDatabaseUrl',
    env: 'GATEWAY_DATABASE_URL',
    flag: '--gateway-database-url',
    value: '<URL>',
    secret: true,
    help: "PostgreSQL database for the gateway's own tables (Solid channels)",
    defaultText: 'DATABASE_URL when it is PostgreSQL, else Solid is off',
  },
  {
    setting: 'solidMaxChannelDuration',
    env: 'SOLID_MAX_CHANNEL_DURATION',
    flag: '--solid-max-channel-duration',
    value: '<SECONDS>',
    help: 'Longest lifetime of a Solid notification channel (endAt is capped to it)',
    defaultText: '1209600 (14 days)',
  },
  {
    setting: 'solidChannelQuota',
    env: 'SOLID_CHANNEL_QUOTA',
    flag: '--solid-channel-quota',
    value: '<COUNT>',
    help: 'Live Solid notification channels one user may have',
    defaultText: '1000',
  },
  {
    setting: 'solidOidcIssuers',
    env: 'SOLID_OIDC_ISSUERS',
    flag: '--solid-oidc-issuer',
    value: '<URL>',
    repeatable: true,
    help: 'Trusted Solid-OIDC issuer of DPoP-bound tokens; repeatable, or a list in the variable',
    defaultText: 'NEXTCLOUD_PUBLIC_URL (the Nextcloud Solid app)',
  },
  {
    setting: 'solidWebIdTemplates',
    env: 'SOLID_WEBID_TEMPLATES',
    flag: '--solid-webid-template',
    value: '<URL>',
    repeatable: true,
    help: 'WebID form of a Nextcloud user, with {uid}; repeatable, or a list in the variable',
    defaultText: "the Nextcloud Solid app's …/apps/solid/~{uid}/profile/card#me forms",
  },
  {
    setting: 'webhookAllowedDestinations',
    env: 'WEBHOOK_ALLOWED_DESTINATIONS',
    flag: '--webhook-allowed-destination',
    value: '<CIDR>',
    repeatable: true,
    help: 'Webhook destinations allowed despite the SSRF guard (and over http), e.g. 127.0.0.0/8',
    defaultText: 'none',
  },
  {
    setting: 'webhookWorkerDisable',
    env: 'WEBHOOK_WORKER_DISABLE',
    flag: '--webhook-worker-disable',
    envSwitch: 'presence',
    help: "Queue webhooks but leave their delivery to 'notify-gateway worker' processes",
    defaultText: 'off',
  },
  {
    setting: 'webhookRetrySchedule',
    env: 'WEBHOOK_RETRY_SCHEDULE',
    flag: '--webhook-retry-schedule',
    value: '<SECONDS,...>',
    help: 'Delays between webhook attempts (±20 % jitter)',
    defaultText: '5,300,1800,7200,18000,36000,36000',
  },
  {
    setting: 'webhookDisableAfter',
    env: 'WEBHOOK_DISABLE_AFTER',
    flag: '--webhook-disable-after',
    value: '<SECONDS>',
    help: 'End the channels of a webhook destination failing for this long',
    defaultText: '432000 (5 days)',
  },
  {
    setting: 'webhookTimeout',
    env: 'WEBHOOK_TIMEOUT',
    flag: '--webhook-timeout',
    value: '<SECONDS>',
    help: 'Longest wait for a webhook receiver to answer',
    defaultText: '15',
  },
  {
    setting: 'adminPassword',
    env: 'ADMIN_PASSWORD',
    flag: '--admin-password',
    value: '<PASSWORD>',
    secret: true,
    help: 'Password of user "admin" for the webhook queue dashboard at /admin/queues',
    defaultText: 'none (the dashboard is off)',
  },
  {
    setting: 'userAgent',
    env: 'USER_AGENT',
    flag: '--user-agent',
    value: '<AGENT>',
    help: 'User-Agent header for requests to Nextcloud',
    defaultText: 'none',
  },
];

/**
 * Setting texts as one source gave them: strings for values, booleans for switches, a list for
 * a repeatable setting.
 */
export type RawSettings = Partial<Record<SettingName, string | boolean | string[]>>;

/**
 * Validates one source's raw settings. The first invalid one stops startup with upstream's
 * wording: `Invalid PORT environment variable: "abc" (...)` or `Invalid --port value: "abc" (...)`.
 */
export function parseSettings(raw: RawSettings, source: 'env' | 'flag'): Settings {
  const result = settingsSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const spec = OPTIONS.find((option) => option.setting === issue?.path[0]);
  if (!issue || !spec) throw result.error;
  const name = source === 'env' ? spec.env : spec.flag;
  const subject =
    source === 'env' ? `Invalid ${name} environment variable` : `Invalid ${name} value`;
  const shown = spec.secret ? '' : `: ${JSON.stringify(raw[spec.setting])}`;
  throw new ConfigError(name, `${subject}${shown} (${issue.message})`);
}
