import type { Logger } from 'pino';
import { mysqlDriver } from './mysql-driver.js';
import { postgresDriver } from './postgres-driver.js';
import { type SqlDriver, SqlNextcloudDatabase } from './sql-database.js';
import { sqliteDriver } from './sqlite-driver.js';

/** One mount whose root lies in a storage: a row of `oc_mounts ⋈ oc_filecache`. */
export interface MountRoot {
  userId: string;
  /** Path of the mount root inside the storage (`''` for a home mount, `files/Shared` …). */
  rootPath: string;
  /** Where the root appears for the user, e.g. `/alice/` or `/bob/files/Shared/docs/`. */
  mountPoint: string;
}

/** One mount of a user: where a storage's subtree appears in the user's view. */
export interface UserMount {
  storageId: number;
  /** Path of the mount root inside the storage (`''` for a home mount). */
  rootPath: string;
  /** Where the root appears for the user, e.g. `/alice/` or `/alice/files/Shared/docs/`. */
  mountPoint: string;
}

/** An `oc_filecache` row, as the resource model needs it. */
export interface FileEntry {
  fileId: number;
  storageId: number;
  /** Path inside the storage, e.g. `files/docs/a.txt` (`''` for the storage root). */
  path: string;
  /** Parent fileid; -1 for the storage root. */
  parentId: number;
  /** The etag as stored; WebDAV shows it in double quotes. */
  etag: string;
  /** Modification time, Unix seconds. */
  mtime: number;
  isFolder: boolean;
}

/** The reads the gateway makes from Nextcloud's database. */
export interface NextcloudDatabase {
  /** Every mount whose root lies in `storageId` (oc_mounts ⋈ oc_filecache ON root_id = fileid). */
  mountsForStorage(storageId: number): Promise<MountRoot[]>;
  /** Every mount of one user (exact uid). */
  mountsOfUser(userId: string): Promise<UserMount[]>;
  /** The entries of those fileids that exist, in no particular order. */
  filesById(fileIds: readonly number[]): Promise<FileEntry[]>;
  /** The entries at those paths of one storage that exist, in no particular order. */
  filesByPath(storageId: number, paths: readonly string[]): Promise<FileEntry[]>;
  /** The direct children of a folder, at most `limit` of them. */
  childrenOf(folderId: number, limit: number): Promise<FileEntry[]>;
  /** The highest fileid in use (0 when the cache is empty): entries above it are newer. */
  maxFileId(): Promise<number>;
  /**
   * Checks the mounts query can run (the tables exist and are readable), rejecting within the
   * configured timeout.
   */
  ping(): Promise<void>;
  /** Releases every connection. */
  close(): Promise<void>;
}

export interface NextcloudDatabaseOptions {
  /** Nextcloud's table prefix (config.php `dbtableprefix`), e.g. `oc_`. */
  prefix: string;
  logger: Logger;
  /** Most connections held open at once (SQLite reads through one handle). @defaultValue 4 */
  poolSize?: number;
  /**
   * Bound on connecting and on each statement, so a dead database fails calls instead of
   * hanging them; on SQLite, how long a read waits for Nextcloud's write lock. @defaultValue 5_000
   */
  timeoutMs?: number;
}

/** The database URL names a database this gateway cannot read (e.g. Oracle). */
export class UnsupportedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedDatabaseError';
  }
}

/** The table prefix or URL is malformed. */
export class InvalidDatabaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidDatabaseConfigError';
  }
}

const TABLE_PREFIX = /^[A-Za-z0-9_]*$/;

/**
 * Opens Nextcloud's database by URL: `postgres://` / `postgresql://`, `mysql://` / `mariadb://`,
 * or `sqlite:///absolute/path.db`. Does not connect yet: the gateway must start while the
 * database is down, so connection errors surface from the calls instead.
 */
export function openNextcloudDatabase(
  url: string,
  options: NextcloudDatabaseOptions,
): NextcloudDatabase {
  if (!TABLE_PREFIX.test(options.prefix)) {
    throw new InvalidDatabaseConfigError(
      `invalid table prefix ${JSON.stringify(options.prefix)}: only A-Z, a-z, 0-9 and _ are allowed`,
    );
  }
  return new SqlNextcloudDatabase(driver(url, options), options);
}

function driver(url: string, options: NextcloudDatabaseOptions): SqlDriver {
  const scheme = urlScheme(url);
  switch (scheme) {
    case 'postgres:':
    case 'postgresql:':
      return postgresDriver(url, options);
    case 'mysql:':
    case 'mariadb:':
      return mysqlDriver(url, options);
    case 'sqlite:':
      return sqliteDriver(url, options);
    default:
      // The URL itself may hold a password, so only the scheme is named.
      throw new UnsupportedDatabaseError(
        `unsupported database URL scheme ${JSON.stringify(scheme)}: expected postgres://, postgresql://, mysql://, mariadb:// or sqlite://`,
      );
  }
}

function urlScheme(url: string): string {
  if (!URL.canParse(url)) {
    throw new InvalidDatabaseConfigError('the database URL is not a valid URL');
  }
  return new URL(url).protocol;
}
