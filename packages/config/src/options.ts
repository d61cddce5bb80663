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
   * How the environment variable turns a switch on: by being set at all (`presence`), or by
   * being exactly `true` (anything else means off).
   */
  envSwitch?: 'presence' | 'true';
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
    secret: true,
    help: 'Redis URL (redis://[user:pass@]host[:port][/db], rediss://, redis+unix:///path)',
    defaultText: 'config.php notify_push_redis or redis, else 127.0.0.1:6379',
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
    setting: 'userAgent',
    env: 'USER_AGENT',
    flag: '--user-agent',
    value: '<AGENT>',
    help: 'User-Agent header for requests to Nextcloud',
    defaultText: 'none',
  },
];

/** notify_push options this gateway does not implement yet; using one stops startup. */
export interface UnsupportedOption {
  env: string;
  flag: string;
  short?: string;
  feature: string;
}

export const UNSUPPORTED_OPTIONS: readonly UnsupportedOption[] = [
  { env: 'REDIS_TLS_CERT', flag: '--redis-tls-cert', feature: 'Redis TLS client certificates' },
  { env: 'REDIS_TLS_KEY', flag: '--redis-tls-key', feature: 'Redis TLS client certificates' },
  { env: 'REDIS_TLS_CA', flag: '--redis-tls-ca', feature: 'a custom Redis TLS CA' },
  {
    env: 'REDIS_TLS_DONT_VALIDATE_HOSTNAME',
    flag: '--redis-tls-dont-validate-hostname',
    feature: 'relaxed Redis TLS checks',
  },
  { env: 'REDIS_TLS_INSECURE', flag: '--redis-tls-insecure', feature: 'relaxed Redis TLS checks' },
];

export function unsupported(name: string, option: UnsupportedOption): ConfigError {
  return new ConfigError(name, `${name} (${option.feature}) is not supported yet`);
}

/** Setting texts as one source gave them: strings for values, booleans for switches. */
export type RawSettings = Partial<Record<SettingName, string | boolean>>;

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
