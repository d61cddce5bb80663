import type { RedisConfig, RedisTlsSettings } from './config.js';
import { ConfigError } from './config-error.js';
import type { RedisLocation } from './redis-location.js';
import type { Settings } from './settings.js';

/** The Redis TLS settings, as `Settings` names them and as the operator knows them. */
const TLS_SETTINGS = [
  ['redisTlsCa', 'REDIS_TLS_CA'],
  ['redisTlsCert', 'REDIS_TLS_CERT'],
  ['redisTlsKey', 'REDIS_TLS_KEY'],
  ['redisTlsDontValidateHostname', 'REDIS_TLS_DONT_VALIDATE_HOSTNAME'],
  ['redisTlsInsecure', 'REDIS_TLS_INSECURE'],
] as const;

/**
 * The Redis configuration: the server(s) of `location`, and when it is reached over TLS each TLS
 * setting from its flag or variable (`given`), else from config.php's `ssl_context`
 * (`fromFile`, which the caller passes only when config.php also names the server).
 *
 * Upstream ignores the REDIS_TLS_* settings without `rediss://`; here that is an error, because
 * someone who names a CA expects the connection to be encrypted. Throws {@link ConfigError}.
 */
export function redisConfig(
  location: RedisLocation,
  given: Settings,
  fromFile: Partial<RedisTlsSettings>,
): RedisConfig {
  const { tls, ...server } = location;
  if (!tls) {
    const stray = TLS_SETTINGS.find(([setting]) => (given[setting] ?? false) !== false);
    if (stray !== undefined) {
      const [, name] = stray;
      throw new ConfigError(
        name,
        `${name} is set, but Redis is not reached over TLS: use a rediss:// URL (or a tls:// host in config.php)`,
      );
    }
    return server;
  }
  const caPath = given.redisTlsCa ?? fromFile.caPath;
  const certPath = given.redisTlsCert ?? fromFile.certPath;
  const keyPath = given.redisTlsKey ?? fromFile.keyPath;
  if (certPath !== undefined && keyPath === undefined) throw onlyOneOf('REDIS_TLS_CERT');
  if (keyPath !== undefined && certPath === undefined) throw onlyOneOf('REDIS_TLS_KEY');
  const settings: RedisTlsSettings = {
    ...(caPath === undefined ? {} : { caPath }),
    ...(certPath === undefined ? {} : { certPath }),
    ...(keyPath === undefined ? {} : { keyPath }),
    dontValidateHostname:
      given.redisTlsDontValidateHostname ?? fromFile.dontValidateHostname ?? false,
    insecure: given.redisTlsInsecure ?? fromFile.insecure ?? false,
  };
  return { ...server, tls: settings };
}

/** A client certificate needs its key and the other way round. */
function onlyOneOf(present: 'REDIS_TLS_CERT' | 'REDIS_TLS_KEY'): ConfigError {
  const [missing, missingKey, presentKey] =
    present === 'REDIS_TLS_CERT'
      ? ['REDIS_TLS_KEY', 'local_pk', 'local_cert']
      : ['REDIS_TLS_CERT', 'local_cert', 'local_pk'];
  return new ConfigError(
    missing,
    `${present} (ssl_context.${presentKey}) is set but ${missing} (ssl_context.${missingKey}) is not: both are needed`,
  );
}
