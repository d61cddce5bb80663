import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { InvalidDatabaseConfigError, type NextcloudDatabaseOptions } from './database.js';
import type { SqlDriver } from './sql-database.js';

/**
 * `ssl-mode` values as sqlx spells them. Without one, sqlx prefers TLS when the server offers it;
 * mysql2 cannot fall back, so an unset mode means plain text (as `disabled`).
 */
const SSL_MODES = ['disabled', 'preferred', 'required', 'verify_ca', 'verify_identity'] as const;
type SslMode = (typeof SSL_MODES)[number];
const KNOWN_PARAMS = new Set(['socket', 'ssl-mode', 'ssl-ca']);

/** Nextcloud on MySQL or MariaDB, through a small `mysql2` pool. */
export function mysqlDriver(url: string, options: NextcloudDatabaseOptions): SqlDriver {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pool = mysql.createPool({
    ...mysqlConnectionOptions(new URL(url)),
    connectionLimit: options.poolSize ?? 4,
    connectTimeout: timeoutMs,
    enableKeepAlive: true,
  });
  return {
    async query(sql, params) {
      const [rows] = await pool.query({ sql, timeout: timeoutMs }, [...params]);
      return rows as readonly unknown[];
    },
    close: () => pool.end(),
  };
}

/**
 * The connection options a `mysql://` / `mariadb://` URL stands for, in the forms `@gw/config`
 * builds from config.php (reference/notify_push.md §4.5): percent-encoded user and password,
 * `?socket=/path`, `?ssl-mode=…`, `?ssl-ca=/path`.
 */
export function mysqlConnectionOptions(url: URL): mysql.PoolOptions {
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) {
      throw new InvalidDatabaseConfigError(
        `unsupported MySQL URL parameter ${JSON.stringify(key)}`,
      );
    }
  }
  const socket = url.searchParams.get('socket');
  const address =
    socket === null
      ? { host: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost', port: port(url) }
      : { socketPath: socket };
  return {
    ...address,
    user: decode(url.username, 'user name'),
    password: decode(url.password, 'password'),
    database: decode(url.pathname.slice(1), 'database name') || undefined,
    ssl: sslOptions(url.searchParams),
  };
}

function port(url: URL): number {
  return url.port === '' ? 3306 : Number(url.port);
}

function sslOptions(params: URLSearchParams): mysql.SslOptions | undefined {
  const mode = sslMode(params.get('ssl-mode'));
  const caPath = params.get('ssl-ca');
  const ca = caPath === null ? undefined : readCa(caPath);
  switch (mode) {
    case 'disabled':
    case 'preferred':
      return undefined;
    case 'required':
      return { rejectUnauthorized: false };
    case 'verify_ca':
      // The chain is checked, the host name is not.
      return { ca, rejectUnauthorized: true, verifyIdentity: false };
    case 'verify_identity':
      return { ca, rejectUnauthorized: true, verifyIdentity: true };
  }
}

function sslMode(value: string | null): SslMode {
  if (value === null) return 'disabled';
  const mode = SSL_MODES.find((known) => known === value.toLowerCase());
  if (mode === undefined) {
    throw new InvalidDatabaseConfigError(
      `unsupported ssl-mode ${JSON.stringify(value)}: expected one of ${SSL_MODES.join(', ')}`,
    );
  }
  return mode;
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InvalidDatabaseConfigError(`cannot read the ssl-ca file: ${reason}`);
  }
}

function decode(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new InvalidDatabaseConfigError(`the database URL's ${what} is not percent-encoded`);
  }
}
