import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  captureLogs,
  createNextcloudTestDatabase,
  freePort,
  type NextcloudTestDatabase,
  type SqlDialect,
} from '@gw/testkit';
import pino from 'pino';
import {
  type MountRoot,
  type NextcloudDatabase,
  openNextcloudDatabase,
  StorageMapping,
} from '../src/index.js';

const logger = pino({ level: 'silent' });

interface DialectCase {
  dialect: SqlDialect;
  /** A URL where nothing answers: a closed port, or a file that does not exist. */
  unreachable(): Promise<string>;
  /** A URL of a server that answers but has no such database. */
  missing: string;
  /** What the calls reject with for `unreachable()` and for `missing`. */
  unreachableError: RegExp;
  missingError: RegExp;
}

const missingName = `ngw_missing_${randomBytes(4).toString('hex')}`;

const DIALECTS: DialectCase[] = [
  {
    dialect: 'postgres',
    unreachable: async () => `postgres://postgres@127.0.0.1:${await freePort()}/nextcloud`,
    missing: `postgres://postgres@127.0.0.1:5432/${missingName}`,
    unreachableError: /ECONNREFUSED/,
    missingError: /does not exist/,
  },
  {
    dialect: 'mysql',
    unreachable: async () => `mysql://root@127.0.0.1:${await freePort()}/nextcloud`,
    missing: `mariadb://root@127.0.0.1:3306/${missingName}`,
    unreachableError: /ECONNREFUSED/,
    missingError: /Unknown database/,
  },
  {
    dialect: 'sqlite',
    unreachable: async () => `sqlite:///nonexistent-${missingName}/owncloud.db`,
    missing: `sqlite:///tmp/${missingName}.db`,
    unreachableError: /cannot open the SQLite database .*directory does not exist/,
    missingError: /cannot open the SQLite database .*unable to open database file/,
  },
];

function byUser(rows: readonly MountRoot[]): MountRoot[] {
  return [...rows].sort((a, b) => (a.userId + a.mountPoint).localeCompare(b.userId + b.mountPoint));
}

for (const { dialect, ...down } of DIALECTS) {
  for (const prefix of ['oc_', 'nc28_']) {
    describe(`storage mapping on ${dialect} with table prefix ${prefix}`, () => {
      let db: NextcloudTestDatabase;
      let database: NextcloudDatabase;

      before(async () => {
        db = await createNextcloudTestDatabase({ dialect, prefix });
        database = openNextcloudDatabase(db.url, { prefix, logger });
      });
      after(async () => {
        await database.close();
        await db.drop();
      });

      it('answers ping only where the mapping can be read: a wrong table prefix fails it', async () => {
        await database.ping();
        const wrongPrefix = openNextcloudDatabase(db.url, { prefix: 'nope_', logger });
        try {
          await assert.rejects(wrongPrefix.ping(), /nope_mounts|nope_filecache/);
        } finally {
          await wrongPrefix.close();
        }
      });

      it('lists every mount rooted in the storage and none of another storage', async () => {
        const storageId = await db.insertStorage('home::alice', [
          { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
          { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' },
          { userId: 'carol', rootPath: 'files/docs', mountPoint: '/carol/files/docs/' },
        ]);
        await db.insertStorage('home::dave', [
          { userId: 'dave', rootPath: '', mountPoint: '/dave/' },
        ]);
        assert.deepEqual(byUser(await database.mountsForStorage(storageId)), [
          { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
          { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' },
          { userId: 'carol', rootPath: 'files/docs', mountPoint: '/carol/files/docs/' },
        ]);
      });

      it('keys the mapping by storage id, as upstream test_notify_file_different_storage', async () => {
        const first = await db.insertStorage('home::erin', [
          { userId: 'erin', rootPath: '', mountPoint: '/erin/' },
        ]);
        const second = await db.insertStorage('home::frank', [
          { userId: 'frank', rootPath: '', mountPoint: '/frank/' },
          { userId: 'erin', rootPath: 'files/frank', mountPoint: '/erin/files/frank/' },
        ]);
        const mapping = new StorageMapping({ database, logger });
        assert.deepEqual(
          (await mapping.mounts(first)).map((row) => row.userId),
          ['erin'],
        );
        assert.deepEqual(byUser(await mapping.mounts(second)), [
          { userId: 'erin', rootPath: 'files/frank', mountPoint: '/erin/files/frank/' },
          { userId: 'frank', rootPath: '', mountPoint: '/frank/' },
        ]);
      });

      it('keeps non-ASCII user ids and paths intact', async () => {
        const storageId = await db.insertStorage('home::zoë', [
          { userId: 'zoë', rootPath: 'files/Ünïcødé 📁', mountPoint: '/zoë/files/Ünïcødé 📁/' },
        ]);
        assert.deepEqual(await database.mountsForStorage(storageId), [
          { userId: 'zoë', rootPath: 'files/Ünïcødé 📁', mountPoint: '/zoë/files/Ünïcødé 📁/' },
        ]);
      });

      it('reads a NULL filecache path as the storage root', async () => {
        const storageId = await db.insertStorage('local::/srv/external', [
          { userId: 'grace', rootPath: null, mountPoint: '/grace/files/external/' },
        ]);
        assert.deepEqual(await database.mountsForStorage(storageId), [
          { userId: 'grace', rootPath: '', mountPoint: '/grace/files/external/' },
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

      it('loads a cold storage with one query for 100 concurrent callers', async () => {
        const storageId = await db.insertStorage('home::heidi', [
          { userId: 'heidi', rootPath: '', mountPoint: '/heidi/' },
        ]);
        const mapping = new StorageMapping({ database, logger });
        const results = await Promise.all(
          Array.from({ length: 100 }, () => mapping.mounts(storageId)),
        );
        assert.ok(results.every((rows) => rows === results[0]));
        assert.deepEqual(mapping.stats, { queries: 1, hits: 99, staleHits: 0, errors: 0 });
      });

      it('answers ping', async () => {
        await database.ping();
      });
    });
  }

  describe(`file lookups on ${dialect}`, () => {
    let db: NextcloudTestDatabase;
    let database: NextcloudDatabase;
    let storage: number;
    const ids: Record<string, number> = {};

    before(async () => {
      db = await createNextcloudTestDatabase({ dialect });
      database = openNextcloudDatabase(db.url, { prefix: 'oc_', logger });
      storage = await db.insertStorage('home::ivan', [
        { userId: 'ivan', rootPath: '', mountPoint: '/ivan/' },
      ]);
      for (const [path, folder] of [
        ['files', true],
        ['files/docs', true],
        ['files/docs/a.txt', false],
        ['files/docs/ü 1.txt', false],
      ] as const) {
        ids[path] = await db.insertFile(storage, { path, folder, etag: `etag-${path}`, mtime: 7 });
      }
      await db.insertMounts(storage, [
        { userId: 'judy', rootPath: 'files/docs', mountPoint: '/judy/files/Shared/docs/' },
      ]);
    });
    after(async () => {
      await database.close();
      await db.drop();
    });

    it('reads entries by fileid with their parent, etag, mtime and kind, skipping missing ids', async () => {
      const rows = await database.filesById([ids['files/docs/a.txt'] ?? 0, 999_999_999]);
      assert.deepEqual(rows, [
        {
          fileId: ids['files/docs/a.txt'],
          storageId: storage,
          path: 'files/docs/a.txt',
          parentId: ids['files/docs'],
          etag: 'etag-files/docs/a.txt',
          mtime: 7,
          isFolder: false,
        },
      ]);
      const [folder] = await database.filesById([ids['files/docs'] ?? 0]);
      assert.equal(folder?.isFolder, true);
    });

    it('reads entries by path within one storage, non-ASCII paths included', async () => {
      const rows = await database.filesByPath(storage, [
        'files/docs/ü 1.txt',
        'files/nope',
        'files',
      ]);
      assert.deepEqual(rows.map((row) => row.path).sort(), ['files', 'files/docs/ü 1.txt']);
      assert.deepEqual(await database.filesByPath(storage + 1, ['files']), []);
    });

    it('looks up more ids than one statement may bind', async () => {
      const many = Array.from({ length: 1_200 }, (_, i) => i + 1_000_000);
      const rows = await database.filesById([...many, ids.files ?? 0]);
      assert.deepEqual(
        rows.map((row) => row.path),
        ['files'],
      );
    });

    it("lists a folder's direct children up to a limit", async () => {
      const children = await database.childrenOf(ids['files/docs'] ?? 0, 10);
      assert.deepEqual(children.map((row) => row.path).sort(), [
        'files/docs/a.txt',
        'files/docs/ü 1.txt',
      ]);
      assert.equal((await database.childrenOf(ids['files/docs'] ?? 0, 1)).length, 1);
    });

    it("lists a user's mounts with their storage", async () => {
      assert.deepEqual(await database.mountsOfUser('judy'), [
        { storageId: storage, rootPath: 'files/docs', mountPoint: '/judy/files/Shared/docs/' },
      ]);
      assert.deepEqual(await database.mountsOfUser('nobody'), []);
    });

    it('knows the highest fileid in use', async () => {
      assert.equal(await database.maxFileId(), Math.max(...Object.values(ids)));
    });
  });

  describe(`${dialect} database that cannot be reached`, () => {
    for (const [what, url, error] of [
      ['nothing answers', down.unreachable, down.unreachableError],
      ['the database does not exist', async () => down.missing, down.missingError],
    ] as const) {
      it(`opens, then rejects calls and ping promptly when ${what}`, async () => {
        const database = openNextcloudDatabase(await url(), { prefix: 'oc_', logger });
        try {
          const started = Date.now();
          await assert.rejects(database.mountsForStorage(1), error);
          await assert.rejects(database.ping(), error);
          assert.ok(Date.now() - started < 2_000, 'rejected promptly');
        } finally {
          await database.close();
        }
      });
    }
  });
}

describe('database outage log', () => {
  let db: NextcloudTestDatabase;
  let volume: string;

  before(async () => {
    db = await createNextcloudTestDatabase({ dialect: 'sqlite' });
    volume = await mkdtemp(join(tmpdir(), 'ngw-outage-log-'));
  });
  after(async () => {
    await rm(volume, { recursive: true, force: true });
    await db.drop();
  });

  it('logs once when the database cannot be used and once when it answers again', async () => {
    const { logger, lines } = captureLogs();
    const path = join(volume, 'owncloud.db');
    const database = openNextcloudDatabase(`sqlite://${path}`, { prefix: 'oc_', logger });
    try {
      await assert.rejects(database.ping());
      await assert.rejects(database.mountsForStorage(1));
      await symlink(new URL(db.url).pathname, path);
      await database.ping();
      assert.deepEqual(await database.mountsForStorage(1), []);
      assert.deepEqual(
        lines.map((line) => [line.level, line.msg]),
        [
          [
            40,
            `cannot use Nextcloud's database: cannot open the SQLite database ${path}: unable to open database file`,
          ],
          [30, "Nextcloud's database answers again"],
        ],
      );
    } finally {
      await database.close();
    }
  });
});
