import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { insertFile, type TestFile } from './file-rows.js';
import { insertMounts, insertStorage, type TestMount } from './mount-rows.js';
import { type MountTablesDialect, mountTablesSql } from './mount-tables.js';
import { mysqlRunner, postgresRunner, type SqlRunner, sqliteRunner } from './sql-runner.js';
import { createTestDatabase } from './test-database.js';

export type SqlDialect = 'postgres' | MountTablesDialect;

export interface NextcloudTestDatabaseOptions {
  dialect: SqlDialect;
  /** Table prefix of the Nextcloud tables. @defaultValue 'oc_' */
  prefix?: string;
  /**
   * Server to create the database on (PostgreSQL and MySQL; SQLite uses a temporary file).
   * @defaultValue 'postgres://postgres@127.0.0.1:5432/postgres' or 'mysql://root@127.0.0.1:3306'
   */
  adminUrl?: string;
}

/** A throwaway database of any dialect holding Nextcloud's storage and mount tables. */
export interface NextcloudTestDatabase {
  dialect: SqlDialect;
  /** The database name, `ngw_<random>` (for SQLite, the start of the temporary directory name). */
  name: string;
  /** The URL the gateway opens it with (`sqlite:///tmp/…/owncloud.db` for SQLite). */
  url: string;
  prefix: string;
  /** Inserts a storage with its mounts; resolves to the storage's numeric id. */
  insertStorage(storageName: string, mounts: readonly TestMount[]): Promise<number>;
  /** Adds mounts (and their root's `oc_filecache` row when missing) to a storage. */
  insertMounts(storageId: number, mounts: readonly TestMount[]): Promise<void>;
  /** Inserts an `oc_filecache` row below an existing folder; resolves to its fileid. */
  insertFile(storageId: number, file: TestFile): Promise<number>;
  /** Disconnects and deletes the database. */
  drop(): Promise<void>;
}

interface Opened {
  url: string;
  runner: SqlRunner;
  drop(): Promise<void>;
}

const MYSQL_ADMIN_URL = 'mysql://root@127.0.0.1:3306';

/** Creates a database named `ngw_<random>` (a temporary file for SQLite) with the mount tables. */
export async function createNextcloudTestDatabase(
  options: NextcloudTestDatabaseOptions,
): Promise<NextcloudTestDatabase> {
  const prefix = options.prefix ?? 'oc_';
  const name = `ngw_${randomBytes(6).toString('hex')}`;
  const opened = await open(options, prefix, name);
  return {
    dialect: options.dialect,
    name,
    url: opened.url,
    prefix,
    insertStorage: (storageName, mounts) =>
      insertStorage(opened.runner, prefix, storageName, mounts),
    insertMounts: (storageId, mounts) => insertMounts(opened.runner, prefix, storageId, mounts),
    insertFile: (storageId, file) => insertFile(opened.runner, prefix, storageId, file),
    drop: opened.drop,
  };
}

function open(options: NextcloudTestDatabaseOptions, prefix: string, name: string) {
  switch (options.dialect) {
    case 'postgres':
      return openPostgres(options.adminUrl, prefix, name);
    case 'mysql':
      return openMysql(options.adminUrl ?? MYSQL_ADMIN_URL, prefix, name);
    case 'sqlite':
      return openSqlite(prefix, name);
  }
}

async function openPostgres(
  adminUrl: string | undefined,
  prefix: string,
  name: string,
): Promise<Opened> {
  const db = await createTestDatabase({ adminUrl, prefix, name });
  return { url: db.url, runner: postgresRunner(db.pool), drop: db.drop };
}

async function openMysql(adminUrl: string, prefix: string, name: string): Promise<Opened> {
  const admin = await mysql.createConnection({ uri: adminUrl, multipleStatements: false });
  try {
    await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const connection = await mysql.createConnection({ uri: url.toString() });
  for (const statement of mountTablesSql('mysql', prefix)) await connection.query(statement);
  return {
    url: url.toString(),
    runner: mysqlRunner(connection),
    async drop() {
      await connection.query(`DROP DATABASE IF EXISTS ${name}`);
      await connection.end();
    },
  };
}

async function openSqlite(prefix: string, name: string): Promise<Opened> {
  const directory = await mkdtemp(join(tmpdir(), `${name}-`));
  const path = join(directory, 'owncloud.db');
  const db = new Sqlite(path);
  // Nextcloud runs SQLite in WAL mode, so readers and its writer do not block each other.
  db.pragma('journal_mode = WAL');
  for (const statement of mountTablesSql('sqlite', prefix)) db.exec(statement);
  return {
    url: `sqlite://${path}`,
    runner: sqliteRunner(db),
    async drop() {
      db.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
