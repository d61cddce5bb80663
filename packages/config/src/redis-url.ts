import type { RedisTarget } from './config.js';
import { InvalidValueError } from './invalid-value-error.js';

const DEFAULT_PORT = 6379;
/** redis-rs reads these from the query of a Unix socket URL. */
const UNIX_PARAMS = new Set(['db', 'user', 'pass']);

/**
 * Parses a redis-rs style URL: `redis://[user:pass@]host[:port][/db]`, `rediss://` for TLS, and
 * `redis+unix:///path` or `unix:///path` with optional `?db=N&user=U&pass=P`. Throws
 * {@link InvalidValueError}; its reason never contains the password.
 */
export function parseRedisUrl(text: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValueError('not a valid URL');
  }
  if (url.hash === '#insecure') {
    throw new InvalidValueError('"#insecure" (skipping TLS verification) is not supported yet');
  }
  if (url.hash !== '') throw new InvalidValueError('URL fragments are not supported');
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

function tcpTarget(url: URL): RedisTarget {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new InvalidValueError('missing host');
  if (url.search !== '') throw new InvalidValueError('query parameters are not supported');
  const dbText = url.pathname.replace(/^\/+|\/+$/g, '');
  return {
    host,
    port: url.port === '' ? DEFAULT_PORT : Number(url.port),
    db: dbText === '' ? 0 : parseDb(dbText),
    ...credentials(decode(url.username), decode(url.password)),
    ...(url.protocol === 'rediss:' ? { tls: true } : {}),
  };
}

function unixTarget(url: URL): RedisTarget {
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
    path: decode(url.pathname),
    db: db === null ? 0 : parseDb(db),
    ...credentials(url.searchParams.get('user') ?? '', url.searchParams.get('pass') ?? ''),
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
): Pick<RedisTarget, 'username' | 'password'> {
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
