import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import { InvalidDatabaseConfigError, type NextcloudDatabaseOptions } from './database.js';
import type { SqlDriver } from './sql-database.js';

/** Pause between attempts while Nextcloud's writer holds the lock. */
const BUSY_RETRY_MS = 10;

/**
 * Nextcloud on SQLite, read-only: the gateway never writes Nextcloud's database. The file is
 * opened on the first call, so a missing file fails the calls (and readiness), not start-up.
 */
export function sqliteDriver(url: string, options: NextcloudDatabaseOptions): SqlDriver {
  const path = sqlitePath(new URL(url));
  const timeoutMs = options.timeoutMs ?? 5_000;
  let db: Sqlite.Database | undefined;
  const statements = new Map<string, Sqlite.Statement>();
  const prepare = (sql: string) => {
    db ??= openReadOnly(path);
    const statement = statements.get(sql) ?? db.prepare(sql);
    statements.set(sql, statement);
    return statement;
  };
  return {
    async query(sql, params) {
      // better-sqlite3 waits for a lock synchronously, which would stall every socket; wait here.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return prepare(sql).all(...params);
        } catch (err) {
          if (!isBusy(err) || Date.now() >= deadline) throw err;
          await sleep(BUSY_RETRY_MS);
        }
      }
    },
    async close() {
      statements.clear();
      db?.close();
      db = undefined;
    },
  };
}

/** The SQLite file cannot be opened (missing, unreadable, not a database). */
export class SqliteOpenError extends Error {
  constructor(path: string, reason: string) {
    super(`cannot open the SQLite database ${path}: ${reason}`);
    this.name = 'SqliteOpenError';
  }
}

function openReadOnly(path: string): Sqlite.Database {
  try {
    return new Sqlite(path, { readonly: true, fileMustExist: true, timeout: 0 });
  } catch (err) {
    throw new SqliteOpenError(path, err instanceof Error ? err.message : String(err));
  }
}

function isBusy(err: unknown): boolean {
  return err instanceof Sqlite.SqliteError && err.code.startsWith('SQLITE_BUSY');
}

/** `sqlite:///absolute/path.db`, optionally with sqlx's `?mode=ro`. */
export function sqlitePath(url: URL): string {
  for (const [key, value] of url.searchParams) {
    if (key !== 'mode' || value !== 'ro') {
      throw new InvalidDatabaseConfigError(
        `unsupported SQLite URL parameter ${JSON.stringify(`${key}=${value}`)}: the database is always opened read-only`,
      );
    }
  }
  const path = decodedPath(url.pathname);
  if (url.host !== '' || path === undefined || !path.startsWith('/') || path.endsWith('/')) {
    throw new InvalidDatabaseConfigError(
      'a SQLite database URL must name an absolute file path: sqlite:///path/to/owncloud.db',
    );
  }
  return path;
}

function decodedPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}
