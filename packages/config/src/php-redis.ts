import { z } from 'zod';
import type { RedisTarget } from './config.js';
import { ConfigError } from './config-error.js';
import { asPort, splitHost } from './host-port.js';
import type { PhpValue } from './php-config.js';
import { readPhpValues } from './php-values.js';
import { credentials } from './redis-url.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 6379;

const text = z.union([z.string(), z.number().transform(String)]).nullish();
const number = z.union([z.int().min(0), z.string().regex(/^\d*$/, 'expected a whole number')]);

const redisKeys = z.object({
  host: z.string().nullish(),
  port: number.nullish(),
  password: text,
  user: text,
  dbindex: number.nullish(),
  ssl_context: z.unknown().optional(),
});
type RedisKeys = z.output<typeof redisKeys>;

/**
 * The Redis server config.php names: `notify_push_redis` when it is a non-empty array (the PHP
 * app publishes there then), else `redis`, with upstream's defaults (127.0.0.1:6379, db 0).
 */
export function redisFromPhp(config: Record<string, PhpValue>, file: string): RedisTarget {
  const pushRedis = config.notify_push_redis;
  if (isNonEmptyArray(pushRedis)) return redisTarget(pushRedis, file, 'notify_push_redis');
  if (isNonEmptyArray(config['redis.cluster'])) {
    throw new ConfigError(
      'redis.cluster',
      `Redis Cluster (redis.cluster in ${file}) is not supported yet; set REDIS_URL or notify_push_redis to one node`,
    );
  }
  return redisTarget(config.redis ?? {}, file, 'redis');
}

function redisTarget(section: PhpValue, file: string, key: string): RedisTarget {
  if (section === null || typeof section !== 'object') {
    throw new ConfigError(key, `Invalid ${key} in ${file}: expected an array`);
  }
  const keys = readPhpValues(redisKeys, section, file, key);
  if (keys.ssl_context !== undefined && keys.ssl_context !== null) {
    throw new ConfigError(
      `${key}.ssl_context`,
      `Redis TLS client settings (${key}.ssl_context in ${file}) are not supported yet`,
    );
  }
  const common = {
    db:
      keys.dbindex === undefined || keys.dbindex === null || keys.dbindex === ''
        ? 0
        : Number(keys.dbindex),
    ...credentials(keys.user ?? '', keys.password ?? ''),
  };
  const host = keys.host || DEFAULT_HOST;
  if (host.startsWith('/')) return { path: host, ...common };
  return { ...tcpAddress(host, keys, file, key), ...common };
}

function tcpAddress(
  hostSetting: string,
  keys: RedisKeys,
  file: string,
  key: string,
): Pick<RedisTarget, 'host' | 'port' | 'tls'> {
  const tls = /^(?:tls|rediss):\/\//.test(hostSetting);
  const split = splitHost(tls ? hostSetting.replace(/^[a-z]+:\/\//, '') : hostSetting);
  const hostPort = split.rest === undefined ? undefined : asPort(split.rest);
  if (split.host === '' || (split.rest !== undefined && hostPort === undefined)) {
    throw new ConfigError(
      `${key}.host`,
      `Invalid ${key}.host in ${file}: expected host or host:port`,
    );
  }
  // Upstream connects to 127.0.0.1 for localhost; Node would try ::1 first, where Redis
  // often does not listen.
  const host = split.host === 'localhost' ? DEFAULT_HOST : split.host;
  const port = keyPort(keys.port, file, key) ?? hostPort ?? DEFAULT_PORT;
  return { host, port, ...(tls ? { tls: true } : {}) };
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

function isNonEmptyArray(value: PhpValue | undefined): value is Record<string, PhpValue> {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}
