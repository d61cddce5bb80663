import type { Logger } from 'pino';
import type { MountRoot, NextcloudDatabase } from './database.js';

/** What differs between PostgreSQL, MySQL/MariaDB and SQLite: placeholders, pooling, connecting. */
export interface SqlDriver {
  /** How the driver writes the first positional parameter: `$1` or `?`. */
  readonly placeholder: string;
  /** Runs one statement and resolves to its rows as plain objects keyed by column name. */
  query(sql: string, params: readonly (string | number)[]): Promise<readonly unknown[]>;
  /** Releases every connection. */
  close(): Promise<void>;
}

/** A row of the mounts query that does not have the column types Nextcloud's schema gives. */
export class UnexpectedRowError extends TypeError {
  constructor(detail: string) {
    super(`unexpected mounts row: ${detail}`);
    this.name = 'UnexpectedRowError';
  }
}

/**
 * Nextcloud's database through any driver: one query text and one row check for all of them
 * (reference/notify_push.md §4.1; the mount point is read as well, for the mount's user path).
 */
export class SqlNextcloudDatabase implements NextcloudDatabase {
  readonly #driver: SqlDriver;
  readonly #logger: Logger;
  readonly #mountsQuery: string;
  readonly #pingQuery: string;
  /** Whether the last statement failed: an outage is logged when it begins and ends, not per call. */
  #failing = false;

  /** `prefix` must already be validated: it is interpolated into the query text. */
  constructor(driver: SqlDriver, { prefix, logger }: { prefix: string; logger: Logger }) {
    this.#driver = driver;
    this.#logger = logger;
    const t = (name: string) => `${prefix}${name}`;
    const mounts = `SELECT m.user_id, m.mount_point, f.path FROM ${t('mounts')} m INNER JOIN ${t('filecache')} f ON m.root_id = f.fileid WHERE`;
    this.#mountsQuery = `${mounts} m.storage_id = ${driver.placeholder}`;
    // The mounts query matching no row: checks the tables, columns and rights the mapping needs,
    // so a wrong database or prefix is not ready, at no cost.
    this.#pingQuery = `${mounts} 1 = 0`;
  }

  async mountsForStorage(storageId: number): Promise<MountRoot[]> {
    if (!Number.isSafeInteger(storageId) || storageId < 0) {
      throw new RangeError(`invalid storage id ${storageId}`);
    }
    const rows = await this.#query(this.#mountsQuery, [storageId]);
    return rows.map(toMountRoot);
  }

  async ping(): Promise<void> {
    await this.#query(this.#pingQuery, []);
  }

  close(): Promise<void> {
    return this.#driver.close();
  }

  async #query(sql: string, params: readonly (string | number)[]): Promise<readonly unknown[]> {
    try {
      const rows = await this.#driver.query(sql, params);
      if (this.#failing) {
        this.#failing = false;
        this.#logger.info("Nextcloud's database answers again");
      }
      return rows;
    } catch (err) {
      if (!this.#failing) {
        this.#failing = true;
        const reason = err instanceof Error ? err.message : String(err);
        this.#logger.warn({ reason }, `cannot use Nextcloud's database: ${reason}`);
      }
      throw err;
    }
  }
}

function toMountRoot(row: unknown): MountRoot {
  const { user_id: userId, mount_point: mountPoint, path } = row as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof mountPoint !== 'string') {
    throw new UnexpectedRowError('user_id and mount_point must be strings');
  }
  if (path !== null && typeof path !== 'string') {
    throw new UnexpectedRowError('filecache path must be a string or NULL');
  }
  return { userId, rootPath: path ?? '', mountPoint };
}
