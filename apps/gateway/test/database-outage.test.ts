// Nextcloud's database of each kind unreachable when the gateway starts (issue 3, "Bad input"):
// the gateway starts anyway, serves clients, reports not-ready with the cause, logs it, and
// recovers without a restart once the database is back.
//
// The simulated Nextcloud keeps its own tables on PostgreSQL (it answers the uid endpoint and
// publishes on Redis); the gateway reads the storage mapping from a separate database of the
// dialect under test, seeded directly with alice's home storage.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  captureLogs,
  createNextcloudTestDatabase,
  createTcpProxy,
  type LogLine,
  type NextcloudTestDatabase,
  type SqlDialect,
  type TestWebSocket,
  until,
} from '@gw/testkit';
import { connectAuth, type Stack, startStack } from './stack.js';

const users = [{ uid: 'alice', password: 'alice-pw' }];
const READINESS_TIMEOUT_MS = 300;
/** The gateway's database timeout: a start-up that waited for the database would take this. */
const DATABASE_TIMEOUT_MS = 5_000;

/** A Nextcloud database the gateway cannot reach until `restore()`. */
interface Outage {
  /** DATABASE_URL as the gateway is configured. */
  url: string;
  restore(): Promise<void>;
  close(): Promise<void>;
}

interface Scenario {
  dialect: SqlDialect;
  what: string;
  /** Why every call fails meanwhile; undefined when calls hang until the connect timeout. */
  cause: RegExp | undefined;
  outage(db: NextcloudTestDatabase): Promise<Outage>;
}

/** The loopback port of a TCP proxy to the real server, down until restored. */
async function tcpOutage(
  db: NextcloudTestDatabase,
  whileDown: 'refused' | 'silent',
): Promise<Outage> {
  const url = new URL(db.url);
  const proxy = await createTcpProxy({
    target: { host: url.hostname, port: Number(url.port) },
    whileDown,
  });
  url.port = String(proxy.port);
  return { url: url.toString(), restore: () => proxy.up(), close: () => proxy.close() };
}

/**
 * For SQLite "unreachable" means the file is not there yet (Nextcloud not installed, its data
 * volume not mounted). It appears later, here as a link to the seeded database file.
 */
async function sqliteOutage(db: NextcloudTestDatabase): Promise<Outage> {
  const volume = await mkdtemp(join(tmpdir(), 'ngw-data-volume-'));
  const path = join(volume, 'owncloud.db');
  return {
    url: `sqlite://${path}`,
    restore: () => symlink(new URL(db.url).pathname, path),
    close: () => rm(volume, { recursive: true, force: true }),
  };
}

const REFUSED = /connect ECONNREFUSED 127\.0\.0\.1:\d+/;
const HUNG = 'the server accepts and never answers';
const SCENARIOS: Scenario[] = [
  {
    dialect: 'postgres',
    what: 'nothing listens',
    cause: REFUSED,
    outage: (db) => tcpOutage(db, 'refused'),
  },
  { dialect: 'postgres', what: HUNG, cause: undefined, outage: (db) => tcpOutage(db, 'silent') },
  {
    dialect: 'mysql',
    what: 'nothing listens',
    cause: REFUSED,
    outage: (db) => tcpOutage(db, 'refused'),
  },
  { dialect: 'mysql', what: HUNG, cause: undefined, outage: (db) => tcpOutage(db, 'silent') },
  {
    dialect: 'sqlite',
    what: 'the file does not exist yet',
    cause: /cannot open the SQLite database \/\S+\/owncloud\.db: unable to open database file/,
    outage: sqliteOutage,
  },
];

const crashes: unknown[] = [];
const recordCrash = (err: unknown) => crashes.push(err);
before(() => {
  process.on('unhandledRejection', recordCrash);
  process.on('uncaughtException', recordCrash);
});
after(() => {
  process.off('unhandledRejection', recordCrash);
  process.off('uncaughtException', recordCrash);
});

async function probe(stack: Stack, path: string) {
  const response = await fetch(`${stack.gateway.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls `/readyz` until it answers 200, for up to five seconds; resolves to the last answer. */
async function readyzOnceReady(stack: Stack) {
  const deadline = Date.now() + 5_000;
  let readyz = await probe(stack, '/readyz');
  while (readyz.status !== 200 && Date.now() < deadline) {
    await sleep(50);
    readyz = await probe(stack, '/readyz');
  }
  return readyz;
}

for (const { dialect, what, cause, outage: makeOutage } of SCENARIOS) {
  describe(`gateway whose ${dialect} database is unreachable at start-up (${what})`, () => {
    let db: NextcloudTestDatabase;
    let storage: number;
    let outage: Outage;
    let stack: Stack;
    let startupMs: number;
    let alice: TestWebSocket;
    const logs = captureLogs();
    const publishStorageUpdate = () =>
      stack.nextcloud.publish('notify_storage_update', { storage, path: 'files/a', file_id: 1 });

    before(async () => {
      db = await createNextcloudTestDatabase({ dialect });
      storage = await db.insertStorage('home::alice', [
        { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
      ]);
      outage = await makeOutage(db);
      const started = performance.now();
      stack = await startStack({
        users,
        config: { databaseUrl: outage.url },
        logger: logs.logger,
        readinessTimeoutMs: READINESS_TIMEOUT_MS,
      });
      startupMs = performance.now() - started;
    });
    after(async () => {
      alice?.close();
      await stack?.close();
      await outage?.close();
      await db?.drop();
    });

    it('starts without waiting for the database and authenticates clients', async () => {
      assert.ok(startupMs < DATABASE_TIMEOUT_MS / 2, `started in ${Math.round(startupMs)} ms`);
      alice = await connectAuth(stack, 'alice', 'alice-pw');
    });

    it('is live but not ready, naming the database and the cause', async () => {
      assert.deepEqual(await probe(stack, '/livez'), { status: 200, body: { live: true } });
      const { status, body } = await probe(stack, '/readyz');
      assert.equal(status, 503);
      const failed = body.failed as Record<string, string>;
      assert.deepEqual(Object.keys(failed), ['database']);
      assert.match(failed.database ?? '', cause ?? /no answer within 300 ms/);
    });

    if (dialect === 'sqlite') {
      it("creates no file where Nextcloud's database belongs", async () => {
        assert.deepEqual(await readdir(dirname(new URL(outage.url).pathname)), []);
      });
    }

    if (cause !== undefined) {
      it('logs that it cannot use the database, and why', async () => {
        const explains = (line: LogLine) =>
          line.level === 40 &&
          line.component === 'database' &&
          line.msg.startsWith("cannot use Nextcloud's database: ") &&
          cause.test(line.msg);
        await until(() => logs.lines.some(explains), 'a log line naming the cause');
      });

      it('drops a storage update while the database is down and keeps serving the client', async () => {
        await publishStorageUpdate();
        await until(() => stack.gateway.router.stats.mappingFailures > 0, 'the dropped update');
        await stack.nextcloud.publish('notify_activity', { user: 'alice' });
        assert.equal(await alice.next(), 'notify_activity');
      });
    }

    it('turns ready once the database is back and delivers notify_file, without a restart', async () => {
      await outage.restore();
      assert.deepEqual(await readyzOnceReady(stack), { status: 200, body: { ready: true } });
      await publishStorageUpdate();
      assert.equal(await alice.next(), 'notify_file');
      const answers = (line: LogLine) => line.msg === "Nextcloud's database answers again";
      assert.equal(logs.lines.filter(answers).length, 1);
    });

    it('never crashed: no unhandled rejection or uncaught exception', () => {
      assert.deepEqual(crashes, []);
    });
  });
}
