import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { FileEntry, MountRoot, NextcloudDatabase, UserMount } from './database.js';

/** What differs between PostgreSQL, MySQL/MariaDB and SQLite: pooling, connecting, parameters. */
export interface SqlDriver {
  /**
   * Runs one statement written with `?` parameters and resolves to its rows as plain objects
   * keyed by column name.
   */
  query(sql: string, params: readonly (string | number)[]): Promise<readonly unknown[]>;
  /** Releases every connection. */
  close(): Promise<void>;
}

/** A row that does not have the column types Nextcloud's schema gives. */
export class UnexpectedRowError extends TypeError {
  constructor(detail: string) {
    super(`unexpected row: ${detail}`);
    this.name = 'UnexpectedRowError';
  }
}

/** `OC\Files\Cache\Cache` stores folders with this mimetype. */
const FOLDER_MIMETYPE = 'httpd/unix-directory';
/** Parameters per IN list: well under every driver's limit on bound parameters. */
const BATCH = 500;

/**
 * Nextcloud's database through any driver: one query text and one row check for all of them
 * (reference/notify_push.md §4.1; the mount point is read as well, for the mount's user path).
 */
export class SqlNextcloudDatabase implements NextcloudDatabase {
  readonly #driver: SqlDriver;
  readonly #logger: Logger;
  readonly #sql: ReturnType<typeof statements>;
  /** Whether the last statement failed: an outage is logged when it begins and ends, not per call. */
  #failing = false;

  /** `prefix` must already be validated: it is interpolated into the query text. */
  constructor(driver: SqlDriver, { prefix, logger }: { prefix: string; logger: Logger }) {
    this.#driver = driver;
    this.#logger = logger;
    this.#sql = statements(prefix);
  }

  async mountsForStorage(storageId: number): Promise<MountRoot[]> {
    const rows = await this.#query(this.#sql.mountsForStorage, [checkId(storageId, 'storage')]);
    return rows.map(toMountRow).map(({ userId, rootPath, mountPoint }) => ({
      userId,
      rootPath,
      mountPoint,
    }));
  }

  async mountsOfUser(userId: string): Promise<UserMount[]> {
    const rows = await this.#query(this.#sql.mountsOfUser, [userId]);
    return rows.map(toMountRow).map(({ storageId, rootPath, mountPoint }) => ({
      storageId,
      rootPath,
      mountPoint,
    }));
  }

  filesById(fileIds: readonly number[]): Promise<FileEntry[]> {
    const ids = [...new Set(fileIds.map((id) => checkId(id, 'file')))];
    return this.#batched(ids, (batch) => [this.#sql.filesById(batch.length), batch]);
  }

  filesByPath(storageId: number, paths: readonly string[]): Promise<FileEntry[]> {
    checkId(storageId, 'storage');
    const hashes = [...new Set(paths)].map(pathHash);
    return this.#batched(hashes, (batch) => [
      this.#sql.filesByPath(batch.length),
      [storageId, ...batch],
    ]);
  }

  async childrenOf(folderId: number, limit: number): Promise<FileEntry[]> {
    const rows = await this.#query(this.#sql.childrenOf, [checkId(folderId, 'file'), limit]);
    return rows.map(toFileEntry);
  }

  async maxFileId(): Promise<number> {
    const [row] = await this.#query(this.#sql.maxFileId, []);
    const max = (row as Record<string, unknown> | undefined)?.max_id;
    return max === null || max === undefined ? 0 : integer(max, 'MAX(fileid)');
  }

  async ping(): Promise<void> {
    await this.#query(this.#sql.ping, []);
  }

  close(): Promise<void> {
    return this.#driver.close();
  }

  async #batched<T extends string | number>(
    keys: readonly T[],
    statement: (batch: T[]) => [string, (string | number)[]],
  ): Promise<FileEntry[]> {
    const entries: FileEntry[] = [];
    for (let start = 0; start < keys.length; start += BATCH) {
      const [sql, params] = statement(keys.slice(start, start + BATCH));
      for (const row of await this.#query(sql, params)) entries.push(toFileEntry(row));
    }
    return entries;
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

/** Every statement, written once for the three databases. */
function statements(prefix: string) {
  const t = (name: string) => `${prefix}${name}`;
  const mounts = `SELECT m.user_id, m.storage_id, m.mount_point, f.path FROM ${t('mounts')} m INNER JOIN ${t('filecache')} f ON m.root_id = f.fileid WHERE`;
  const files = `SELECT f.fileid, f.storage, f.path, f.parent, f.etag, f.mtime, t.mimetype FROM ${t('filecache')} f LEFT JOIN ${t('mimetypes')} t ON t.id = f.mimetype WHERE`;
  const list = (count: number) => Array.from({ length: count }, () => '?').join(', ');
  return {
    mountsForStorage: `${mounts} m.storage_id = ?`,
    mountsOfUser: `${mounts} m.user_id = ?`,
    filesById: (count: number) => `${files} f.fileid IN (${list(count)})`,
    filesByPath: (count: number) => `${files} f.storage = ? AND f.path_hash IN (${list(count)})`,
    childrenOf: `${files} f.parent = ? ORDER BY f.fileid LIMIT ?`,
    maxFileId: `SELECT MAX(fileid) AS max_id FROM ${t('filecache')}`,
    // The mounts query matching no row: checks the tables, columns and rights the mapping needs,
    // so a wrong database or prefix is not ready, at no cost.
    ping: `${mounts} 1 = 0`,
  };
}

/** `oc_filecache.path_hash`: md5 of the path's UTF-8 bytes. */
function pathHash(path: string): string {
  return createHash('md5').update(path, 'utf8').digest('hex');
}

function checkId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`invalid ${what} id ${id}`);
  return id;
}

function toMountRow(row: unknown): MountRoot & UserMount {
  const { user_id, storage_id, mount_point, path } = row as Record<string, unknown>;
  if (path !== null && typeof path !== 'string') {
    throw new UnexpectedRowError('filecache path must be a string or NULL');
  }
  return {
    userId: text(user_id, 'user_id'),
    storageId: integer(storage_id, 'storage_id'),
    rootPath: path ?? '',
    mountPoint: text(mount_point, 'mount_point'),
  };
}

function toFileEntry(row: unknown): FileEntry {
  const { fileid, storage, path, parent, etag, mtime, mimetype } = row as Record<string, unknown>;
  return {
    fileId: integer(fileid, 'fileid'),
    storageId: integer(storage, 'storage'),
    path: path === null ? '' : text(path, 'path'),
    parentId: integer(parent, 'parent'),
    etag: etag === null ? '' : text(etag, 'etag'),
    mtime: integer(mtime, 'mtime'),
    isFolder: mimetype === FOLDER_MIMETYPE,
  };
}

function text(value: unknown, column: string): string {
  if (typeof value !== 'string') throw new UnexpectedRowError(`${column} must be a string`);
  return value;
}

/** BIGINT columns arrive as strings from pg and mysql2 (beyond 2^53) and as numbers otherwise. */
function integer(value: unknown, column: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' && typeof number !== 'bigint') {
    throw new UnexpectedRowError(`${column} must be an integer`);
  }
  const result = Number(number);
  if (!Number.isSafeInteger(result)) throw new UnexpectedRowError(`${column} must be an integer`);
  return result;
}
