import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@gw/testkit';
import pino from 'pino';
import { openNextcloudDatabase } from '../src/index.js';

const logger = pino({ level: 'silent' });
const SOCKET_DIR = '/var/run/postgresql';

describe('PostgreSQL driver', () => {
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.drop();
  });

  it('cancels a statement that outlives the timeout', async () => {
    const impatient = openNextcloudDatabase(db.url, { prefix: 'oc_', logger, timeoutMs: 300 });
    const locker = await db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE oc_mounts IN ACCESS EXCLUSIVE MODE');
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

describe('PostgreSQL database over a Unix socket', () => {
  const skip = existsSync(SOCKET_DIR) ? false : `no PostgreSQL socket in ${SOCKET_DIR}`;
  let db: TestDatabase;

  before(async () => {
    if (!skip) db = await createTestDatabase();
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
