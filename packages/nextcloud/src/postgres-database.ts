import pg from 'pg';
import type { Logger } from 'pino';
import type { MountRoot, NextcloudDatabase, NextcloudDatabaseOptions } from './database.js';

interface MountRow {
  user_id: unknown;
  mount_point: unknown;
  path: unknown;
}

/** Nextcloud on PostgreSQL, through a small `pg` pool. */
export class PostgresDatabase implements NextcloudDatabase {
  readonly #pool: pg.Pool;
  readonly #mountsQuery: string;

  constructor(url: string, options: NextcloudDatabaseOptions) {
    const timeoutMs = options.timeoutMs ?? 5_000;
    this.#pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: timeoutMs,
      // Server-side bound for a slow database, client-side bound for a link that went silent.
      statement_timeout: timeoutMs,
      query_timeout: timeoutMs + 1_000,
      keepAlive: true,
      application_name: 'notify-gateway',
    });
    this.#pool.on('error', (err) => logIdleError(options.logger, err));
    const t = (name: string) => `${options.prefix}${name}`;
    this.#mountsQuery = `SELECT m.user_id, m.mount_point, f.path FROM ${t('mounts')} m INNER JOIN ${t('filecache')} f ON m.root_id = f.fileid WHERE m.storage_id = $1`;
  }

  async mountsForStorage(storageId: number): Promise<MountRoot[]> {
    if (!Number.isSafeInteger(storageId) || storageId < 0) {
      throw new RangeError(`invalid storage id ${storageId}`);
    }
    const { rows } = await this.#pool.query<MountRow>(this.#mountsQuery, [storageId]);
    return rows.map(toMountRoot);
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

function toMountRoot(row: MountRow): MountRoot {
  const { user_id: userId, mount_point: mountPoint, path } = row;
  if (typeof userId !== 'string' || typeof mountPoint !== 'string') {
    throw new TypeError('unexpected mounts row: user_id and mount_point must be strings');
  }
  if (path !== null && typeof path !== 'string') {
    throw new TypeError('unexpected filecache row: path must be a string or NULL');
  }
  return { userId, rootPath: path ?? '', mountPoint };
}

/** An idle pooled connection died (database restarted); the next query opens a new one. */
function logIdleError(logger: Logger, err: Error): void {
  logger.warn({ reason: err.message }, 'database connection lost');
}
