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

/** The reads the gateway makes from Nextcloud's database. */
export interface NextcloudDatabase {
  /** Every mount whose root lies in `storageId` (oc_mounts ⋈ oc_filecache ON root_id = fileid). */
  mountsForStorage(storageId: number): Promise<MountRoot[]>;
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
