import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../src/index.js';

describe('createTestDatabase', () => {
  it('creates the Nextcloud tables under the prefix and drops the database afterwards', async () => {
    const db = await createTestDatabase({ prefix: 'nc_' });
    const { rows } = await db.pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    assert.deepEqual(
      rows.map((row) => row.table_name),
      [
        'nc_appconfig',
        'nc_filecache',
        'nc_group_user',
        'nc_groups',
        'nc_mimetypes',
        'nc_mounts',
        'nc_share',
        'nc_storages',
      ],
    );
    await db.drop();
    const admin = new pg.Client({
      connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
    await admin.end();
    assert.equal(left.rowCount, 0);
  });
});
