import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { asPort, splitHost, urlHost } from './host-port.js';
import type { PhpValue } from './php-config.js';
import { readPhpValues } from './php-values.js';

/** Where MySQL listens on `localhost` by default, probed in this order (upstream's list). */
export const MYSQL_SOCKETS = [
  '/var/run/mysqld/mysqld.sock',
  '/tmp/mysql.sock',
  '/run/mysql/mysql.sock',
] as const;

const MYSQL_ATTR_SSL_KEY = '1007';
const MYSQL_ATTR_SSL_CERT = '1008';
const MYSQL_ATTR_SSL_CA = '1009';
const MYSQL_ATTR_SSL_VERIFY_SERVER_CERT = '1014';

/** PHP casts numbers to strings when it connects, so accept either. */
const text = z.union([z.string(), z.number().transform(String)]).nullish();

const databaseKeys = z.object({
  dbtype: z.string().nullish(),
  dbhost: text,
  dbport: z.union([z.int(), z.string().regex(/^\d*$/, 'expected a port number')]).nullish(),
  dbname: text,
  dbuser: text,
  dbpassword: text,
  dbdriveroptions: z.record(z.string(), z.unknown()).nullish(),
  datadirectory: z.string().nullish(),
});
type DatabaseKeys = z.output<typeof databaseKeys>;

type Address = { host: string; port: number | undefined } | { socket: string };

/**
 * Builds the database URL from config.php exactly as nextcloud-config-parser does
 * (reference/notify_push.md §4.5). `mysqlSockets` are the sockets probed for MySQL on localhost.
 */
export function databaseUrlFromPhp(
  config: Record<string, PhpValue>,
  file: string,
  mysqlSockets: readonly string[] = MYSQL_SOCKETS,
): string {
  const keys = readPhpValues(databaseKeys, config, file);
  switch (keys.dbtype) {
    case 'pgsql':
      return postgresUrl(keys, file);
    case 'mysql':
      return mysqlUrl(keys, file, mysqlSockets);
    case 'sqlite3':
    case 'sqlite':
    case null:
    case undefined:
      return sqliteUrl(keys);
    default:
      throw invalid('dbtype', `unsupported database type ${JSON.stringify(keys.dbtype)}`);
  }
}

function postgresUrl(keys: DatabaseKeys, file: string): string {
  const user = required(keys.dbuser, 'dbuser', 'no username set');
  const address = dbAddress(keys, file);
  const params = new URLSearchParams();
  if ('socket' in address) {
    // libpq wants the directory; Nextcloud may name the socket file itself.
    const name = basename(address.socket);
    params.append('host', name.startsWith('.s') ? dirname(address.socket) : address.socket);
  } else if (isIP(address.host)) {
    params.append('sslmode', 'disable');
  }
  return buildUrl('postgresql', user, keys.dbpassword ?? '', address, 5432, keys, params);
}

function mysqlUrl(keys: DatabaseKeys, file: string, sockets: readonly string[]): string {
  const user = required(keys.dbuser, 'dbuser', 'no username set');
  const password = required(keys.dbpassword, 'dbpassword', 'no password set');
  // Like PDO, a bare `localhost` means the local socket, whatever dbport says.
  const bareLocalhost = (keys.dbhost || 'localhost') === 'localhost';
  const localSocket = bareLocalhost ? sockets.find((socket) => existsSync(socket)) : undefined;
  const address = localSocket ? { socket: localSocket } : dbAddress(keys, file);
  const params = mysqlSslParams(
    keys.dbdriveroptions ?? {},
    'host' in address && isIP(address.host) !== 0,
  );
  if ('socket' in address) params.append('socket', address.socket);
  return buildUrl('mysql', user, password, address, 3306, keys, params);
}

function mysqlSslParams(options: Record<string, unknown>, ipHost: boolean): URLSearchParams {
  const verifyOption = options[MYSQL_ATTR_SSL_VERIFY_SERVER_CERT];
  const verify = verifyOption !== false && verifyOption !== 0;
  const [key, cert, ca] = [MYSQL_ATTR_SSL_KEY, MYSQL_ATTR_SSL_CERT, MYSQL_ATTR_SSL_CA].map(
    (option) => options[option],
  );
  const params = new URLSearchParams();
  if (typeof key === 'string' && typeof cert === 'string' && typeof ca === 'string') {
    params.append('ssl-mode', verify ? 'verify_identity' : 'verify_ca');
    params.append('ssl-ca', ca);
  } else if (ipHost && verify) {
    // A certificate cannot match a bare IP, so upstream turns TLS off unless told not to verify.
    params.append('ssl-mode', 'disabled');
  }
  return params;
}

function sqliteUrl(keys: DatabaseKeys): string {
  const dataDirectory = required(keys.datadirectory, 'datadirectory', 'no data directory');
  return `sqlite://${dataDirectory}/${keys.dbname ?? 'owncloud'}.db`;
}

/** `dbhost` forms: `host`, `host:port`, `host:/socket`, `/socket`; `dbport` overrides the port. */
function dbAddress(keys: DatabaseKeys, file: string): Address {
  const dbhost = keys.dbhost || 'localhost';
  if (dbhost.startsWith('/')) return { socket: dbhost };
  const { host, rest } = splitHost(dbhost);
  if (!/^[\w.-]+$/.test(host) && isIP(host) === 0) {
    throw new ConfigError('dbhost', `Invalid dbhost in ${file}: not a host name or IP address`);
  }
  const hostPort = rest === undefined || rest === '' ? undefined : asPort(rest);
  if (rest && hostPort === undefined) return { socket: rest };
  const dbport = keys.dbport === undefined || keys.dbport === null ? '' : String(keys.dbport);
  if (dbport === '') return { host, port: hostPort };
  const port = asPort(dbport);
  if (port === undefined) {
    throw new ConfigError('dbport', `Invalid dbport in ${file}: expected a port number 1-65535`);
  }
  return { host, port };
}

function buildUrl(
  scheme: string,
  user: string,
  password: string,
  address: Address,
  defaultPort: number,
  keys: DatabaseKeys,
  params: URLSearchParams,
): string {
  const host = 'socket' in address ? 'localhost' : urlHost(address.host);
  const port =
    'socket' in address || !address.port || address.port === defaultPort ? '' : `:${address.port}`;
  const query = params.toString().replaceAll('%2F', '/');
  const credentials = `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  const database = encodeURIComponent(keys.dbname ?? 'owncloud');
  return `${scheme}://${credentials}@${host}${port}/${database}${query ? `?${query}` : ''}`;
}

function required(value: string | null | undefined, key: string, problem: string): string {
  if (value === undefined || value === null) throw invalid(key, problem);
  return value;
}

function invalid(key: string, problem: string): ConfigError {
  return new ConfigError(key, `Invalid database configuration in config.php: ${problem} (${key})`);
}
