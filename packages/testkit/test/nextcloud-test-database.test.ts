import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createNextcloudTestDatabase, type SqlDialect } from '../src/index.js';

/** Reads the mounts back with the dialect's own client, independently of the fixture. */
async function readMounts(dialect: SqlDialect, url: string, prefix: string): Promise<unknown[]> {
  const sql = `SELECT m.user_id, f.path FROM ${prefix}mounts m JOIN ${prefix}filecache f ON m.root_id = f.fileid ORDER BY m.user_id`;
  if (dialect === 'sqlite') {
    const db = new Sqlite(new URL(url).pathname, { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  }
  if (dialect === 'mysql') {
    const connection = await mysql.createConnection({ uri: url });
    try {
      return (await connection.query(sql))[0] as unknown[];
    } finally {
      await connection.end();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function exists(dialect: SqlDialect, url: string): Promise<boolean> {
  if (dialect === 'sqlite') return existsSync(new URL(url).pathname);
  const name = new URL(url).pathname.slice(1);
  if (dialect === 'mysql') {
    const connection = await mysql.createConnection({ uri: 'mysql://root@127.0.0.1:3306' });
    try {
      const [rows] = await connection.query('SHOW DATABASES LIKE ?', [name]);
      return (rows as unknown[]).length > 0;
    } finally {
      await connection.end();
    }
  }
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  try {
    return (
      (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
    );
  } finally {
    await client.end();
  }
}

for (const dialect of ['postgres', 'mysql', 'sqlite'] as const) {
  describe(`createNextcloudTestDatabase on ${dialect}`, () => {
    it('creates the mount tables, keeps a NULL root path, and drops everything', async () => {
      const db = await createNextcloudTestDatabase({ dialect, prefix: 'kit_' });
      try {
        const storageId = await db.insertStorage('home::alice', [
          { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
        ]);
        await db.insertStorage('local::/srv/external', [
          { userId: 'bob', rootPath: null, mountPoint: '/bob/files/ext/' },
        ]);
        await db.insertMounts(storageId, [
          { userId: 'carol', rootPath: '', mountPoint: '/carol/files/alice/' },
        ]);
        assert.deepEqual(
          (await readMounts(dialect, db.url, 'kit_')).map((row) => ({ ...(row as object) })),
          [
            { user_id: 'alice', path: '' },
            { user_id: 'bob', path: null },
            { user_id: 'carol', path: '' },
          ],
        );
      } finally {
        await db.drop();
      }
      assert.equal(await exists(dialect, db.url), false);
    });
  });
}
