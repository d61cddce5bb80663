import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNextcloudTestDatabase, type NextcloudTestDatabase } from '@gw/testkit';
import mysql from 'mysql2/promise';
import pino from 'pino';
import { InvalidDatabaseConfigError, openNextcloudDatabase } from '../src/index.js';
import { mysqlConnectionOptions } from '../src/mysql-driver.js';

const logger = pino({ level: 'silent' });
const SOCKET = '/run/mysqld/mysqld.sock';

describe('mysqlConnectionOptions', () => {
  let directory: string;
  let caPath: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ngw-mysql-ca-'));
    caPath = join(directory, 'ca.pem');
    await writeFile(caPath, 'not checked until connecting');
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('decodes a percent-encoded user, password and database name', () => {
    const options = mysqlConnectionOptions(
      new URL('mysql://nc%40cloud:p%40ss%3Aw%2Frd%25@db.example.com:3307/next%20cloud'),
    );
    assert.deepEqual(options, {
      host: 'db.example.com',
      port: 3307,
      user: 'nc@cloud',
      password: 'p@ss:w/rd%',
      database: 'next cloud',
      ssl: undefined,
    });
  });

  it('defaults to port 3306 and reads an IPv6 literal host without brackets', () => {
    const options = mysqlConnectionOptions(new URL('mariadb://nc:pw@[::1]/nextcloud'));
    assert.equal(options.host, '::1');
    assert.equal(options.port, 3306);
  });

  it('connects through ?socket=/path instead of the host', () => {
    const options = mysqlConnectionOptions(
      new URL('mysql://nc:pw@localhost/nextcloud?socket=/var/run/mysqld/mysqld.sock'),
    );
    assert.equal(options.socketPath, '/var/run/mysqld/mysqld.sock');
    assert.equal(options.host, undefined);
  });

  it('turns TLS off for ssl-mode=disabled, as config.php IP hosts get', () => {
    const options = mysqlConnectionOptions(new URL('mysql://nc:pw@10.0.0.5/nc?ssl-mode=disabled'));
    assert.equal(options.ssl, undefined);
  });

  it('verifies the host name for ssl-mode=verify_identity with the ssl-ca file', () => {
    const url = new URL(`mysql://nc:pw@db/nc?ssl-mode=verify_identity&ssl-ca=${caPath}`);
    const ssl = mysqlConnectionOptions(url).ssl;
    assert.equal(typeof ssl, 'object');
    assert.deepEqual(ssl, {
      ca: Buffer.from('not checked until connecting'),
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
  });

  it('verifies the chain only for ssl-mode=verify_ca', () => {
    const url = new URL(`mysql://nc:pw@db/nc?ssl-mode=VERIFY_CA&ssl-ca=${caPath}`);
    assert.deepEqual(mysqlConnectionOptions(url).ssl, {
      ca: Buffer.from('not checked until connecting'),
      rejectUnauthorized: true,
      verifyIdentity: false,
    });
  });

  for (const [problem, url, message] of [
    ['an unknown ssl-mode', 'mysql://nc:pw@db/nc?ssl-mode=sometimes', /unsupported ssl-mode/],
    [
      'an unreadable ssl-ca',
      'mysql://nc:pw@db/nc?ssl-mode=verify_ca&ssl-ca=/nonexistent.pem',
      /ssl-ca/,
    ],
    ['an unknown parameter', 'mysql://nc:pw@db/nc?sslmode=disable', /"sslmode"/],
    ['a password that is not percent-encoded', 'mysql://nc:100%@db/nc', /password/],
  ] as const) {
    it(`refuses ${problem} without echoing the password`, () => {
      assert.throws(
        () => mysqlConnectionOptions(new URL(url)),
        (err: unknown) =>
          err instanceof InvalidDatabaseConfigError &&
          message.test(err.message) &&
          !err.message.includes('pw'),
      );
    });
  }
});

describe('MySQL driver on the real MariaDB', () => {
  let db: NextcloudTestDatabase;
  const user = `ngw_${randomBytes(4).toString('hex')}`;
  const password = 'p@ss:w/rd%?#&é';
  let admin: mysql.Connection;

  before(async () => {
    db = await createNextcloudTestDatabase({ dialect: 'mysql' });
    admin = await mysql.createConnection({ uri: db.url });
    await admin.query('CREATE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
    await admin.query(`GRANT SELECT ON ${new URL(db.url).pathname.slice(1)}.* TO ?@?`, [user, '%']);
  });
  after(async () => {
    await admin.query('DROP USER IF EXISTS ?@?', [user, '%']);
    await admin.end();
    await db.drop();
  });

  it('logs in with a percent-encoded user and password', async () => {
    const url = new URL(db.url);
    url.username = encodeURIComponent(user);
    url.password = encodeURIComponent(password);
    const storageId = await db.insertStorage('home::ivan', [
      { userId: 'ivan', rootPath: '', mountPoint: '/ivan/' },
    ]);
    const database = openNextcloudDatabase(url.toString(), { prefix: 'oc_', logger });
    try {
      assert.deepEqual(await database.mountsForStorage(storageId), [
        { userId: 'ivan', rootPath: '', mountPoint: '/ivan/' },
      ]);
    } finally {
      await database.close();
    }
  });

  it('connects through ?socket=', {
    skip: !existsSync(SOCKET) && `no socket ${SOCKET}`,
  }, async () => {
    const name = new URL(db.url).pathname;
    const url = `mysql://root@localhost${name}?socket=${SOCKET}`;
    const database = openNextcloudDatabase(url, { prefix: 'oc_', logger });
    try {
      await database.ping();
    } finally {
      await database.close();
    }
  });

  it('gives up on a query that outlives the timeout', async () => {
    const impatient = openNextcloudDatabase(db.url, { prefix: 'oc_', logger, timeoutMs: 300 });
    await impatient.ping();
    const locker = await mysql.createConnection({ uri: db.url });
    try {
      await locker.query('LOCK TABLES oc_mounts WRITE');
      const started = Date.now();
      await assert.rejects(impatient.mountsForStorage(1), /timeout/i);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await locker.query('UNLOCK TABLES');
      await locker.end();
      await impatient.close();
    }
  });
});

describe('MySQL driver when the server accepts but never answers', () => {
  it('rejects within the connect timeout', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const database = openNextcloudDatabase(`mysql://root@127.0.0.1:${port}/nextcloud`, {
      prefix: 'oc_',
      logger,
      timeoutMs: 300,
    });
    const started = Date.now();
    await assert.rejects(database.ping(), /timeout|ETIMEDOUT/i);
    assert.ok(Date.now() - started < 2_000);
    await database.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });
});
