import pg from 'pg';
import type { NextcloudDatabaseOptions } from './database.js';
import { logIdleError } from './idle-error.js';
import type { SqlDriver } from './sql-database.js';

/** Nextcloud on PostgreSQL, through a small `pg` pool. */
export function postgresDriver(url: string, options: NextcloudDatabaseOptions): SqlDriver {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: timeoutMs,
    // Server-side bound for a slow database, client-side bound for a link that went silent.
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1_000,
    keepAlive: true,
    application_name: 'notify-gateway',
  });
  pool.on('error', (err) => logIdleError(options.logger, err));
  return {
    async query(sql, params) {
      return (await pool.query(numberPlaceholders(sql), [...params])).rows;
    },
    close: () => pool.end(),
  };
}

/** `pg` numbers its parameters (`$1`, `$2`…) where the shared SQL text writes `?`. */
function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replaceAll('?', () => `$${++n}`);
}
