import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createNextcloudSchema } from './nextcloud-schema.js';

export interface TestDatabaseOptions {
  /** Server to create the database on. @defaultValue 'postgres://postgres@127.0.0.1:5432/postgres' */
  adminUrl?: string;
  /** Table prefix of the Nextcloud schema. @defaultValue 'oc_' */
  prefix?: string;
  /** Database name. @defaultValue `ngw_<random>` */
  name?: string;
}

/** A throwaway PostgreSQL database holding Nextcloud's tables. */
export interface TestDatabase {
  name: string;
  url: string;
  prefix: string;
  pool: pg.Pool;
  /** Runs a statement on the server's admin database (e.g. to take this database offline). */
  adminQuery(sql: string): Promise<void>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? DEFAULT_ADMIN_URL;
  const prefix = options.prefix ?? 'oc_';
  const name = options.name ?? `ngw_${randomBytes(6).toString('hex')}`;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid database name ${name}`);
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  // Tests cut connections on purpose (database outages); an idle client's error must not crash.
  pool.on('error', () => {});
  await createNextcloudSchema(pool, prefix);
  return {
    name,
    url: url.toString(),
    prefix,
    pool,
    async adminQuery(sql) {
      await withAdmin(adminUrl, (admin) => admin.query(sql));
    },
    async drop() {
      await pool.end();
      await withAdmin(adminUrl, (admin) =>
        admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await run(admin);
  } finally {
    await admin.end();
  }
}
