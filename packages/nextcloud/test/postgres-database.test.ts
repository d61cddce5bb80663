import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, freePort, type TestDatabase } from '@gw/testkit';
import pino from 'pino';
import { type NextcloudDatabase, openNextcloudDatabase } from '../src/index.js';
import { insertStorage, testDatabaseName } from './nextcloud-rows.js';

const logger = pino({ level: 'silent' });
const SOCKET_DIR = '/var/run/postgresql';

function byUser<T extends { userId: string; mountPoint: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.userId + a.mountPoint).localeCompare(b.userId + b.mountPoint));
}

for (const prefix of ['oc_', 'nc28_']) {
  describe(`PostgreSQL database with table prefix ${prefix}`, () => {
    let db: TestDatabase;
    let database: NextcloudDatabase;

    before(async () => {
      db = await createTestDatabase({ prefix, name: testDatabaseName() });
      database = openNextcloudDatabase(db.url, { prefix, logger });
    });
    after(async () => {
      await database.close();
      await db.drop();
    });

    it('lists every mount rooted in the storage with its root path and mount point', async () => {
      const storageId = await insertStorage(db.pool, prefix, 'home::alice', [
        { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
        { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' },
        { userId: 'carol', rootPath: 'files/docs', mountPoint: '/carol/files/docs/' },
      ]);
      await insertStorage(db.pool, prefix, 'home::dave', [
        { userId: 'dave', rootPath: '', mountPoint: '/dave/' },
      ]);
      assert.deepEqual(byUser(await database.mountsForStorage(storageId)), [
        { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
        { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' },
        { userId: 'carol', rootPath: 'files/docs', mountPoint: '/carol/files/docs/' },
      ]);
    });

    it('reads a NULL filecache path as the storage root', async () => {
      const storageId = await insertStorage(db.pool, prefix, 'local::/srv/external', [
        { userId: 'erin', rootPath: null, mountPoint: '/erin/files/external/' },
      ]);
      assert.deepEqual(await database.mountsForStorage(storageId), [
        { userId: 'erin', rootPath: '', mountPoint: '/erin/files/external/' },
      ]);
    });

    it('returns no mounts for an unknown storage', async () => {
      assert.deepEqual(await database.mountsForStorage(4_000_000_000), []);
    });

    it('rejects a storage id that is not a non-negative integer', async () => {
      for (const bad of [-1, 1.5, Number.NaN]) {
        await assert.rejects(database.mountsForStorage(bad), RangeError);
      }
    });

    it('answers ping', async () => {
      await database.ping();
    });

    it('cancels a statement that outlives the timeout', async () => {
      const impatient = openNextcloudDatabase(db.url, { prefix, logger, timeoutMs: 300 });
      const locker = await db.pool.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`LOCK TABLE ${prefix}mounts IN ACCESS EXCLUSIVE MODE`);
        const started = Date.now();
        await assert.rejects(impatient.mountsForStorage(1), /statement timeout/);
        assert.ok(Date.now() - started < 2_000);
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
        await impatient.close();
      }
    });
  });
}

describe('PostgreSQL database over a Unix socket', () => {
  const skip = existsSync(SOCKET_DIR) ? false : `no PostgreSQL socket in ${SOCKET_DIR}`;
  let db: TestDatabase;

  before(async () => {
    if (!skip) db = await createTestDatabase({ name: testDatabaseName() });
  });
  after(async () => {
    await db?.drop();
  });

  it('connects through ?host=/socket/dir', { skip }, async () => {
    const url = `postgresql://postgres@localhost/${db.name}?host=${SOCKET_DIR}`;
    const database = openNextcloudDatabase(url, { prefix: 'oc_', logger });
    await database.ping();
    await database.close();
  });
});

describe('PostgreSQL database that is down', () => {
  it('rejects calls promptly when nothing listens on the port', async () => {
    const port = await freePort();
    const database = openNextcloudDatabase(`postgres://postgres@127.0.0.1:${port}/nextcloud`, {
      prefix: 'oc_',
      logger,
    });
    const started = Date.now();
    await assert.rejects(database.mountsForStorage(1), /ECONNREFUSED/);
    await assert.rejects(database.ping(), /ECONNREFUSED/);
    assert.ok(Date.now() - started < 2_000);
    await database.close();
  });

  it('rejects within the timeout when the server accepts but never answers', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const database = openNextcloudDatabase(`postgres://postgres@127.0.0.1:${port}/nextcloud`, {
      prefix: 'oc_',
      logger,
      timeoutMs: 300,
    });
    const started = Date.now();
    await assert.rejects(database.ping(), /timeout/i);
    assert.ok(Date.now() - started < 2_000);
    await database.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});
