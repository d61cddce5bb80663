import { resolve } from 'node:path';
import { type CommandLine, readCommandLine } from './command-line.js';
import type { Config, SolidConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { readNextcloudConfig } from './config-file.js';
import { settingsFromEnv, withDotEnv } from './environment.js';
import { redisConfig } from './redis-config.js';
import type { Settings } from './settings.js';

export interface LoadConfigInput {
  /** Arguments after the node and script entries. */
  argv: string[];
  /** The process environment; a `.env` file in `cwd` fills in what it lacks. */
  env: NodeJS.ProcessEnv;
  /** Where `.env` and a relative CONFIG_FILE are looked up. @defaultValue process.cwd() */
  cwd?: string;
}

/**
 * Builds the configuration from flags, environment and config.php, in that precedence, field by
 * field. Action flags (--help, --version, --dump-config) are not its business and are skipped;
 * see parseCommandLine. Throws {@link ConfigError}.
 */
export function loadConfig(input: LoadConfigInput): Config {
  return resolveConfig(readCommandLine(input.argv), input.env, input.cwd ?? process.cwd());
}

export function resolveConfig(cli: CommandLine, env: NodeJS.ProcessEnv, cwd: string): Config {
  const fromEnv = settingsFromEnv(withDotEnv(env, cwd));
  if (cli.globConfig && cli.configFile === undefined) {
    throw new ConfigError('--glob-config', '--glob-config needs the CONFIG_FILE argument');
  }
  const file =
    cli.configFile === undefined
      ? undefined
      : readNextcloudConfig(resolve(cwd, cli.configFile), cli.globConfig);
  const given = { ...fromEnv, ...defined(cli.settings) };
  const databaseUrl = given.databaseUrl ?? file?.databaseUrl();
  if (databaseUrl === undefined) throw notConfigured('DATABASE_URL', '--database-url', 'database');
  // config.php's ssl_context describes its own Redis section, so it counts only with that.
  const phpRedis = given.redis === undefined ? file?.redis() : undefined;
  const redisLocation = given.redis ?? phpRedis?.location;
  if (redisLocation === undefined) throw notConfigured('REDIS_URL', '--redis-url', 'redis');
  const redis = redisConfig(redisLocation, given, phpRedis?.tls ?? {});
  const nextcloudUrl = given.nextcloudUrl ?? file?.nextcloudUrl;
  if (nextcloudUrl === undefined)
    throw notConfigured('NEXTCLOUD_URL', '--nextcloud-url', 'nextcloud');
  return {
    nextcloudUrl,
    databaseUrl,
    databasePrefix: given.databasePrefix ?? file?.databasePrefix ?? 'oc_',
    redis,
    port: given.port ?? 7867,
    bind: given.bind ?? '::',
    logLevel: given.logLevel ?? 'warn',
    maxDebounceTime: given.maxDebounceTime ?? 15,
    maxConnectionTime: given.maxConnectionTime ?? 0,
    debounceDisable: given.debounceDisable ?? false,
    allowSelfSigned: given.allowSelfSigned ?? false,
    noAnsi: given.noAnsi ?? false,
    userAgent: given.userAgent,
    socketPath: given.socketPath,
    socketPermissions: given.socketPermissions ?? 0o660,
    metricsPort: given.metricsPort,
    metricsSocketPath: given.metricsSocketPath,
    tls: tlsFiles(given.tlsCert, given.tlsKey),
    solid: solidConfig(given, nextcloudUrl, databaseUrl),
    adminPassword: given.adminPassword,
  };
}

/** Svix's schedule (reference/ecosystem.md §3.2): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
const DEFAULT_RETRY_SCHEDULE_MS = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000].map(
  (s) => s * 1000,
);

/** Solid is on whenever there is a PostgreSQL database for its channels. */
function solidConfig(
  given: Settings,
  nextcloudUrl: string,
  databaseUrl: string,
): SolidConfig | undefined {
  const storeUrl =
    given.gatewayDatabaseUrl ?? (/^postgres(ql)?:/.test(databaseUrl) ? databaseUrl : undefined);
  if (storeUrl === undefined) return undefined;
  const nextcloud = given.nextcloudPublicUrl ?? withoutCredentials(nextcloudUrl);
  return {
    nextcloudUrl: nextcloud,
    publicUrl: given.publicUrl ?? `${nextcloud}push/`,
    databaseUrl: storeUrl,
    maxChannelDuration: given.solidMaxChannelDuration ?? 1_209_600,
    channelQuota: given.solidChannelQuota ?? 1_000,
    oidcIssuers: given.solidOidcIssuers ?? [nextcloud],
    webIdTemplates: given.solidWebIdTemplates ?? [],
    webhooks: {
      allowedDestinations: given.webhookAllowedDestinations ?? [],
      worker: !(given.webhookWorkerDisable ?? false),
      retryScheduleMs: given.webhookRetrySchedule ?? DEFAULT_RETRY_SCHEDULE_MS,
      disableAfterMs: (given.webhookDisableAfter ?? 432_000) * 1000,
      timeoutMs: (given.webhookTimeout ?? 15) * 1000,
    },
  };
}

/** NEXTCLOUD_URL may carry a login; URLs handed to clients must not. */
function withoutCredentials(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url.href;
}

/** TLS needs both files; one alone is a mistake worth stopping for. */
function tlsFiles(certPath: string | undefined, keyPath: string | undefined) {
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined)
    throw new ConfigError('TLS_CERT', 'TLS_KEY is set but TLS_CERT is not: both are needed');
  if (keyPath === undefined)
    throw new ConfigError('TLS_KEY', 'TLS_CERT is set but TLS_KEY is not: both are needed');
  return { certPath, keyPath };
}

/** Drops absent keys, so spreading a higher-precedence source never erases a lower one. */
function defined<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

function notConfigured(env: string, flag: string, what: string): ConfigError {
  return new ConfigError(
    env,
    `No ${what} server is configured: set ${env} or ${flag}, or give the path of config.php`,
  );
}
