import type { RedisConfig } from './config.js';
import { InvalidValueError } from './invalid-value-error.js';
import type { RedisLocation } from './redis-location.js';

const DEFAULT_PORT = 6379;
/** redis-rs reads these from the query of a Unix socket URL. */
const UNIX_PARAMS = new Set(['db', 'user', 'pass']);

/**
 * Parses a redis-rs style URL: `redis://[user:pass@]host[:port][/db]`, `rediss://` for TLS, and
 * `redis+unix:///path` or `unix:///path` with optional `?db=N&user=U&pass=P`. redis-rs's
 * `#insecure` fragment is dropped, as upstream drops it: only REDIS_TLS_INSECURE skips
 * verification. Throws {@link InvalidValueError}; its reason never contains the password.
 */
export function parseRedisUrl(text: string): RedisLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValueError('not a valid URL');
  }
  if (url.hash !== '' && url.hash !== '#insecure') {
    throw new InvalidValueError('URL fragments other than #insecure are not supported');
  }
  switch (url.protocol) {
    case 'redis:':
    case 'rediss:':
      return tcpTarget(url);
    case 'redis+unix:':
    case 'unix:':
      return unixTarget(url);
    default:
      throw new InvalidValueError(
        `unsupported scheme ${JSON.stringify(url.protocol)} (use redis://, rediss://, redis+unix:// or unix://)`,
      );
  }
}

function tcpTarget(url: URL): RedisLocation {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new InvalidValueError('missing host');
  if (url.search !== '') throw new InvalidValueError('query parameters are not supported');
  const dbText = url.pathname.replace(/^\/+|\/+$/g, '');
  return {
    nodes: [{ host, port: url.port === '' ? DEFAULT_PORT : Number(url.port) }],
    cluster: false,
    ...credentials(decode(url.username), decode(url.password)),
    db: dbText === '' ? 0 : parseDb(dbText),
    tls: url.protocol === 'rediss:',
  };
}

function unixTarget(url: URL): RedisLocation {
  if (url.host !== '')
    throw new InvalidValueError('a Unix socket URL takes no host (unix:///path)');
  if (url.pathname === '' || url.pathname === '/') {
    throw new InvalidValueError('missing socket path');
  }
  for (const name of url.searchParams.keys()) {
    if (!UNIX_PARAMS.has(name)) {
      throw new InvalidValueError(`unknown query parameter ${JSON.stringify(name)}`);
    }
  }
  const db = url.searchParams.get('db');
  return {
    nodes: [{ path: decode(url.pathname) }],
    cluster: false,
    ...credentials(url.searchParams.get('user') ?? '', url.searchParams.get('pass') ?? ''),
    db: db === null ? 0 : parseDb(db),
    tls: false,
  };
}

function parseDb(text: string): number {
  if (!/^\d{1,9}$/.test(text)) {
    throw new InvalidValueError('the database number must be a non-negative integer');
  }
  return Number(text);
}

/** Empty user names and passwords count as unset, as in config.php. */
export function credentials(
  username: string,
  password: string,
): Pick<RedisConfig, 'username' | 'password'> {
  return {
    ...(username === '' ? {} : { username }),
    ...(password === '' ? {} : { password }),
  };
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    throw new InvalidValueError('invalid percent-encoding');
  }
}
