import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mountTablesSql } from '@gw/testkit';
import Sqlite from 'better-sqlite3';
import pino from 'pino';
import { InvalidDatabaseConfigError, openNextcloudDatabase } from '../src/index.js';
import { sqliteDriver, sqlitePath } from '../src/sqlite-driver.js';

const logger = pino({ level: 'silent' });

describe('sqlitePath', () => {
  for (const [url, path] of [
    ['sqlite:///var/www/data/owncloud.db', '/var/www/data/owncloud.db'],
    ['sqlite:///srv/my%20data/nextcloud.db?mode=ro', '/srv/my data/nextcloud.db'],
  ] as const) {
    it(`reads ${url} as ${path}`, () => {
      assert.equal(sqlitePath(new URL(url)), path);
    });
  }

  for (const url of [
    'sqlite://owncloud.db',
    'sqlite:///',
    'sqlite:///var/www/data/',
    'sqlite:///var/www/data/owncloud.db?mode=rwc',
  ]) {
    it(`refuses ${url}`, () => {
      assert.throws(() => sqlitePath(new URL(url)), InvalidDatabaseConfigError);
    });
  }
});

describe('SQLite driver', () => {
  let directory: string;
  let path: string;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'ngw-sqlite-driver-'));
    path = join(directory, 'owncloud.db');
  });
  after(() => rm(directory, { recursive: true, force: true }));

  it('starts without the file, fails calls until it appears, then reads it', async () => {
    const database = openNextcloudDatabase(`sqlite://${path}`, { prefix: 'oc_', logger });
    try {
      await assert.rejects(database.ping(), /cannot open the SQLite database/);
      assert.equal(existsSync(path), false, 'created no empty database in its place');
      const writer = new Sqlite(path);
      writer.pragma('journal_mode = WAL');
      for (const statement of mountTablesSql('sqlite', 'oc_')) writer.exec(statement);
      writer.close();
      await database.ping();
      assert.deepEqual(await database.mountsForStorage(1), []);
    } finally {
      await database.close();
    }
  });

  it('opens the file read-only', async () => {
    const driver = sqliteDriver(`sqlite://${path}`, { prefix: 'oc_', logger });
    try {
      await assert.rejects(
        driver.query(
          "INSERT INTO oc_storages (id) VALUES ('home::mallory') RETURNING numeric_id",
          [],
        ),
        /readonly/,
      );
    } finally {
      await driver.close();
    }
  });

  it('reads while Nextcloud holds a write transaction', async () => {
    const writer = new Sqlite(path);
    const database = openNextcloudDatabase(`sqlite://${path}`, {
      prefix: 'oc_',
      logger,
      timeoutMs: 300,
    });
    try {
      writer.exec('BEGIN IMMEDIATE');
      writer.exec("INSERT INTO oc_storages (id) VALUES ('home::pending')");
      assert.deepEqual(await database.mountsForStorage(1), []);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
      await database.close();
    }
  });

  it('waits for an exclusive lock without blocking the event loop, then reads', async () => {
    const journaled = join(directory, 'journaled.db');
    const writer = new Sqlite(journaled);
    for (const statement of mountTablesSql('sqlite', 'oc_')) writer.exec(statement);
    const database = openNextcloudDatabase(`sqlite://${journaled}`, { prefix: 'oc_', logger });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      writer.exec('BEGIN EXCLUSIVE');
      setTimeout(() => writer.exec('COMMIT'), 150);
      const started = Date.now();
      assert.deepEqual(await database.mountsForStorage(1), []);
      assert.ok(Date.now() - started >= 100, 'waited for the lock');
      assert.ok(ticks >= 5, `event loop ran ${ticks} ticks meanwhile`);
    } finally {
      clearInterval(ticker);
      if (writer.inTransaction) writer.exec('ROLLBACK');
      writer.close();
      await database.close();
    }
  });

  it('gives up on a lock held past the timeout', async () => {
    const journaled = join(directory, 'locked.db');
    const writer = new Sqlite(journaled);
    for (const statement of mountTablesSql('sqlite', 'oc_')) writer.exec(statement);
    const database = openNextcloudDatabase(`sqlite://${journaled}`, {
      prefix: 'oc_',
      logger,
      timeoutMs: 100,
    });
    try {
      writer.exec('BEGIN EXCLUSIVE');
      await assert.rejects(database.mountsForStorage(1), /locked|busy/i);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
      await database.close();
    }
  });
});
