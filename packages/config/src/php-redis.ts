import { z } from 'zod';
import type { RedisAddress, RedisTlsSettings } from './config.js';
import { ConfigError } from './config-error.js';
import { asPort, splitHost } from './host-port.js';
import { InvalidValueError } from './invalid-value-error.js';
import type { PhpValue } from './php-config.js';
import { readPhpValues } from './php-values.js';
import { clusterOf, type RedisLocation } from './redis-location.js';
import { credentials } from './redis-url.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;
const TLS_PREFIX = /^(?:tls|rediss):\/\//;

const text = z.union([z.string(), z.number().transform(String)]).nullish();
const number = z.union([z.int().min(0), z.string().regex(/^\d*$/, 'expected a whole number')]);
/** PHP reads stream context switches as booleans; 0 and 1 are how some configs spell them. */
const flag = z
  .union([z.boolean(), z.literal(0), z.literal(1)], { error: 'expected true or false' })
  .transform(Boolean)
  .nullish();
/** An empty path means unset, as PHP treats it. */
const path = z
  .string({ error: 'expected a file path' })
  .nullish()
  .transform((value) => value || undefined);

const redisKeys = z.object({
  host: z.string().nullish(),
  port: number.nullish(),
  password: text,
  user: text,
  dbindex: number.nullish(),
  ssl_context: z.record(z.string(), z.unknown(), { error: 'expected an array' }).nullish(),
});
type RedisKeys = z.output<typeof redisKeys>;

const clusterKeys = redisKeys.omit({ host: true, port: true }).extend({
  seeds: z.record(z.string(), z.string({ error: 'expected "host:port" strings' }), {
    error: 'expected an array of "host:port" strings',
  }),
});

const sslContextKeys = z.object({
  local_cert: path,
  local_pk: path,
  cafile: path,
  verify_peer_name: flag,
  verify_peer: flag,
  // nextcloud-config-parser reads this misspelt key (trailing space) instead of verify_peer;
  // both are honoured, so a config written for either works.
  'verify_peer ': flag,
});

/** What config.php says about Redis: where it is, and the TLS settings of its `ssl_context`. */
export interface PhpRedis {
  location: RedisLocation;
  /** From `ssl_context`; empty when there is none or TLS is off (a Unix socket). */
  tls: Partial<RedisTlsSettings>;
}

/**
 * The Redis config.php names: `notify_push_redis` when it is a non-empty array (the PHP app
 * publishes there then), else a non-empty `redis.cluster`, else `redis`, with upstream's defaults
 * (127.0.0.1:6379, db 0). A `tls://`/`rediss://` host or an `ssl_context` array turns TLS on.
 */
export function redisFromPhp(config: Record<string, PhpValue>, file: string): PhpRedis {
  const pushRedis = config.notify_push_redis;
  if (isNonEmptyArray(pushRedis)) return singleServer(pushRedis, file, 'notify_push_redis');
  const cluster = config['redis.cluster'];
  if (isNonEmptyArray(cluster)) return clusterSeeds(cluster, file);
  return singleServer(config.redis ?? {}, file, 'redis');
}

function singleServer(section: PhpValue, file: string, key: string): PhpRedis {
  if (section === null || typeof section !== 'object') {
    throw new ConfigError(key, `Invalid ${key} in ${file}: expected an array`);
  }
  const keys = readPhpValues(redisKeys, section, file, key);
  const common = {
    cluster: false,
    ...credentials(keys.user ?? '', keys.password ?? ''),
    db: dbIndex(keys),
  };
  const host = keys.host || DEFAULT_HOST;
  if (host.startsWith('/')) {
    // TLS means nothing on a Unix socket; upstream ignores ssl_context there too.
    return { location: { nodes: [{ path: host }], ...common, tls: false }, tls: {} };
  }
  const port = keyPort(keys.port, file, key);
  const { address, tls } = tcpAddress(host, port, () => invalidHost(file, `${key}.host`));
  const sslContext = sslContextSettings(keys, file, key);
  return {
    location: { nodes: [address], ...common, tls: tls || sslContext !== undefined },
    tls: sslContext ?? {},
  };
}

function clusterSeeds(section: Record<string, PhpValue>, file: string): PhpRedis {
  const key = 'redis.cluster';
  const keys = readPhpValues(clusterKeys, section, file, key);
  if (dbIndex(keys) !== 0) {
    throw new ConfigError(
      `${key}.dbindex`,
      `Invalid ${key}.dbindex in ${file}: a Redis Cluster has only database 0`,
    );
  }
  const seeds = Object.values(keys.seeds);
  if (seeds.length === 0) {
    throw invalidSeeds(file, 'expected at least one "host:port" seed');
  }
  const sslContext = sslContextSettings(keys, file, key);
  const shared = { cluster: true, ...credentials(keys.user ?? '', keys.password ?? ''), db: 0 };
  const locations = seeds.map((seed): RedisLocation => {
    if (seed.startsWith('/')) return { nodes: [{ path: seed }], ...shared, tls: false };
    const { address, tls } = tcpAddress(seed, undefined, () =>
      invalidSeeds(file, `expected "host:port", got ${JSON.stringify(seed)}`),
    );
    return { nodes: [address], ...shared, tls: tls || sslContext !== undefined };
  });
  try {
    return { location: clusterOf(locations), tls: sslContext ?? {} };
  } catch (error) {
    if (error instanceof InvalidValueError) throw invalidSeeds(file, error.reason);
    throw error;
  }
}

function tcpAddress(
  hostSetting: string,
  port: number | undefined,
  invalid: () => ConfigError,
): { address: RedisAddress; tls: boolean } {
  const tls = TLS_PREFIX.test(hostSetting);
  const split = splitHost(hostSetting.replace(TLS_PREFIX, ''));
  const hostPort = split.rest === undefined ? undefined : asPort(split.rest);
  if (split.host === '' || (split.rest !== undefined && hostPort === undefined)) throw invalid();
  // Upstream connects to 127.0.0.1 for localhost; Node would try ::1 first, where Redis
  // often does not listen.
  const host = split.host === 'localhost' ? DEFAULT_HOST : split.host;
  return { address: { host, port: port ?? hostPort ?? DEFAULT_PORT }, tls };
}

/** The `ssl_context` array as TLS settings; undefined when there is none. */
function sslContextSettings(
  keys: Pick<RedisKeys, 'ssl_context'>,
  file: string,
  key: string,
): Partial<RedisTlsSettings> | undefined {
  if (keys.ssl_context === undefined || keys.ssl_context === null) return undefined;
  const context = readPhpValues(sslContextKeys, keys.ssl_context, file, `${key}.ssl_context`);
  const settings: Partial<RedisTlsSettings> = {};
  if (context.cafile !== undefined) settings.caPath = context.cafile;
  if (context.local_cert !== undefined) settings.certPath = context.local_cert;
  if (context.local_pk !== undefined) settings.keyPath = context.local_pk;
  if (context.verify_peer_name === false) settings.dontValidateHostname = true;
  if (context.verify_peer === false || context['verify_peer '] === false) settings.insecure = true;
  return settings;
}

function dbIndex(keys: Pick<RedisKeys, 'dbindex'>): number {
  const value = keys.dbindex;
  return value === undefined || value === null || value === '' ? 0 : Number(value);
}

/** `port` 0 or '' means unset, as in Nextcloud's own RedisFactory. */
function keyPort(value: number | string | null | undefined, file: string, key: string) {
  if (value === undefined || value === null || value === '' || Number(value) === 0)
    return undefined;
  const port = asPort(String(value));
  if (port === undefined) {
    throw new ConfigError(
      `${key}.port`,
      `Invalid ${key}.port in ${file}: expected a port number 1-65535`,
    );
  }
  return port;
}

function invalidHost(file: string, key: string): ConfigError {
  return new ConfigError(key, `Invalid ${key} in ${file}: expected host or host:port`);
}

function invalidSeeds(file: string, reason: string): ConfigError {
  return new ConfigError(
    'redis.cluster.seeds',
    `Invalid redis.cluster.seeds in ${file}: ${reason}`,
  );
}

function isNonEmptyArray(value: PhpValue | undefined): value is Record<string, PhpValue> {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
