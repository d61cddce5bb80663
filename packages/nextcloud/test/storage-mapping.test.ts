import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  captureLogs,
  createNextcloudTestDatabase,
  freePort,
  type NextcloudTestDatabase,
  until,
} from '@gw/testkit';
import pg from 'pg';
import pino from 'pino';
import {
  type MountRoot,
  type NextcloudDatabase,
  openNextcloudDatabase,
  StorageMapping,
} from '../src/index.js';

const PREFIX = 'nct_';
const MIN_TTL = 1_000;
const MAX_TTL = 2_000;
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Runs a statement on the server's admin database, e.g. to take the test's database offline. */
async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A clock the test moves by hand, so expiry needs no waiting. */
function manualClock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Waits until the mapping answers with rows other than `stale` (a refresh landed). */
async function refreshed(
  mapping: StorageMapping,
  storageId: number,
  stale: readonly MountRoot[],
): Promise<void> {
  const deadline = Date.now() + 3_000;
  while ((await mapping.mounts(storageId)) === stale) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the refresh');
    await sleep(5);
  }
}

function users(rows: readonly MountRoot[]): string[] {
  return rows.map((row) => row.userId).sort();
}

describe('StorageMapping', () => {
  let db: NextcloudTestDatabase;
  const databases: NextcloudDatabase[] = [];
  const open = (timeoutMs?: number) => {
    const database = openNextcloudDatabase(db.url, {
      prefix: PREFIX,
      logger: pino({ level: 'silent' }),
      timeoutMs,
    });
    databases.push(database);
    return database;
  };
  const newStorage = (name: string) =>
    db.insertStorage(name, [
      { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
      { userId: 'bob', rootPath: 'files/shared', mountPoint: '/bob/files/Shared/shared/' },
    ]);
  /** Refuses new connections of the gateway and cuts the ones it holds. */
  const takeOffline = async () => {
    await adminQuery(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    await adminQuery(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = '${db.name}' AND application_name = 'notify-gateway'`,
    );
  };
  const bringOnline = () => adminQuery(`ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);

  before(async () => {
    db = await createNextcloudTestDatabase({ dialect: 'postgres', prefix: PREFIX });
  });
  after(async () => {
    await Promise.all(databases.map((database) => database.close()));
    await db.drop();
  });

  it('runs one query for 1,000 concurrent calls on a cold storage', async () => {
    const storageId = await newStorage('home::alice');
    const mapping = new StorageMapping({ database: open(), logger: pino({ level: 'silent' }) });
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () => mapping.mounts(storageId)),
    );
    assert.equal(mapping.stats.queries, 1);
    assert.equal(mapping.stats.hits, 999);
    assert.deepEqual(users(results[0] ?? []), ['alice', 'bob']);
    assert.ok(results.every((rows) => rows === results[0]));
  });

  it('answers from the cache until the entry expires', async () => {
    const storageId = await newStorage('home::carol');
    const clock = manualClock();
    const mapping = new StorageMapping({
      database: open(),
      logger: pino({ level: 'silent' }),
      minTtlMs: MIN_TTL,
      maxTtlMs: MAX_TTL,
      now: clock.now,
    });
    await mapping.mounts(storageId);
    clock.advance(MIN_TTL - 1);
    await mapping.mounts(storageId);
    assert.deepEqual(mapping.stats, { queries: 1, hits: 1, staleHits: 0, errors: 0 });
  });

  it('sees mounts added after forgetAll at once, even from a load that was under way', async () => {
    const storageId = await newStorage('home::forgotten');
    const mapping = new StorageMapping({ database: open(), logger: pino({ level: 'silent' }) });
    assert.deepEqual(users(await mapping.mounts(storageId)), ['alice', 'bob']);
    const underWay = mapping.mounts(storageId + 1_000);
    await db.insertMounts(storageId, [
      { userId: 'erin', rootPath: 'files/shared', mountPoint: '/erin/files/shared/' },
    ]);
    mapping.forgetAll();
    await underWay;
    assert.deepEqual(users(await mapping.mounts(storageId)), ['alice', 'bob', 'erin']);
    assert.equal(mapping.stats.queries, 3);
  });

  it('spreads expiry over [minTtlMs, maxTtlMs]', async () => {
    // Unknown storages load as empty lists, which are cached all the same.
    const storages = Array.from({ length: 20 }, (_, index) => 3_000_000_000 + index);
    const staleAfter = async (ms: number) => {
      const clock = manualClock();
      const mapping = new StorageMapping({
        database: open(),
        logger: pino({ level: 'silent' }),
        minTtlMs: MIN_TTL,
        maxTtlMs: MAX_TTL,
        now: clock.now,
      });
      await Promise.all(storages.map((id) => mapping.mounts(id)));
      clock.advance(ms);
      await Promise.all(storages.map((id) => mapping.mounts(id)));
      return mapping.stats.staleHits;
    };
    assert.equal(await staleAfter(MIN_TTL - 1), 0, 'none expired before minTtlMs');
    const midway = await staleAfter((MIN_TTL + MAX_TTL) / 2);
    assert.ok(midway > 0 && midway < storages.length, `${midway} of 20 expired midway`);
    assert.equal(await staleAfter(MAX_TTL), storages.length, 'all expired at maxTtlMs');
  });

  it('refreshes an expired entry once in the background while 1,000 callers get the stale rows', async () => {
    const storageId = await newStorage('home::dave');
    const clock = manualClock();
    const mapping = new StorageMapping({
      database: open(),
      logger: pino({ level: 'silent' }),
      minTtlMs: MIN_TTL,
      maxTtlMs: MAX_TTL,
      now: clock.now,
    });
    const stale = await mapping.mounts(storageId);
    await db.insertMounts(storageId, [
      { userId: 'erin', rootPath: 'files/shared', mountPoint: '/erin/files/shared/' },
    ]);
    clock.advance(MAX_TTL);
    const results = await Promise.all(
      Array.from({ length: 1_000 }, () => mapping.mounts(storageId)),
    );
    assert.ok(results.every((rows) => rows === stale));
    assert.equal(mapping.stats.staleHits, 1_000);
    assert.equal(mapping.stats.queries, 2);
    await refreshed(mapping, storageId, stale);
    assert.deepEqual(users(await mapping.mounts(storageId)), ['alice', 'bob', 'erin']);
    assert.equal(mapping.stats.queries, 2);
  });

  it('rejects every waiting caller with the same error when a cold load fails, then retries', async () => {
    const storageId = await newStorage('home::frank');
    const mapping = new StorageMapping({ database: open(), logger: pino({ level: 'silent' }) });
    await takeOffline();
    try {
      const started = Date.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 100 }, () => mapping.mounts(storageId)),
      );
      assert.ok(Date.now() - started < 3_000, 'rejected promptly');
      const reasons = new Set(
        outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : 'resolved')),
      );
      assert.equal(reasons.size, 1);
      assert.match(String([...reasons][0]), /not currently accepting connections/);
      assert.deepEqual(mapping.stats, { queries: 1, hits: 99, staleHits: 0, errors: 1 });
    } finally {
      await bringOnline();
    }
    assert.deepEqual(users(await mapping.mounts(storageId)), ['alice', 'bob']);
    assert.equal(mapping.stats.queries, 2);
  });

  it('serves the stale entry while refreshes fail, logs the outage once, and recovers', async () => {
    const storageId = await newStorage('home::grace');
    const clock = manualClock();
    const { logger, lines } = captureLogs();
    const mapping = new StorageMapping({
      database: open(),
      logger,
      minTtlMs: MIN_TTL,
      maxTtlMs: MAX_TTL,
      now: clock.now,
    });
    const stale = await mapping.mounts(storageId);
    clock.advance(MAX_TTL);
    await takeOffline();
    try {
      for (let failures = 1; failures <= 3; failures++) {
        assert.equal(await mapping.mounts(storageId), stale);
        await until(() => mapping.stats.errors === failures, `failed refresh ${failures}`);
      }
    } finally {
      await bringOnline();
    }
    const warnings = lines.filter((line) => line.msg.startsWith('failed to refresh'));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.storageId, storageId);
    assert.equal(await mapping.mounts(storageId), stale);
    await until(
      () => lines.some((line) => line.msg === 'storage mapping refreshed again'),
      'recovery',
    );
    assert.notEqual(await mapping.mounts(storageId), stale);
    assert.equal(mapping.stats.queries, 5);
  });

  it('rejects promptly when nothing listens where the database should be', async () => {
    const port = await freePort();
    const database = openNextcloudDatabase(`postgres://postgres@127.0.0.1:${port}/nextcloud`, {
      prefix: PREFIX,
      logger: pino({ level: 'silent' }),
    });
    databases.push(database);
    const mapping = new StorageMapping({ database, logger: pino({ level: 'silent' }) });
    const started = Date.now();
    await assert.rejects(mapping.mounts(1), /ECONNREFUSED/);
    await assert.rejects(mapping.mounts(1), /ECONNREFUSED/);
    assert.ok(Date.now() - started < 2_000);
    assert.deepEqual(mapping.stats, { queries: 2, hits: 0, staleHits: 0, errors: 2 });
  });

  it('refuses a TTL range whose minimum exceeds its maximum', () => {
    assert.throws(
      () =>
        new StorageMapping({
          database: open(),
          logger: pino({ level: 'silent' }),
          minTtlMs: 10,
          maxTtlMs: 5,
        }),
      RangeError,
    );
  });
});
