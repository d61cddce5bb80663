import { ResourceUrls } from '@gw/events';
import { type NextcloudDatabase, openNextcloudDatabase, StorageMapping } from '@gw/nextcloud';
import {
  createTestDatabase,
  type RedisServerProcess,
  SimulatedNextcloud,
  startRedisServer,
  type TestDatabase,
  until,
} from '@gw/testkit';
import { Redis } from 'ioredis';
import pino from 'pino';
import type { StorageUpdate } from '../src/index.js';

const logger = pino({ level: 'silent' });

/**
 * The simulated Nextcloud on a real database and a private Redis, with what it publishes on
 * `notify_storage_update` recorded, and the gateway's read side of its database.
 */
export interface NextcloudFixture {
  nextcloud: SimulatedNextcloud;
  database: NextcloudDatabase;
  mapping: StorageMapping;
  urls: ResourceUrls;
  /** `{NEXTCLOUD_URL}remote.php/dav/files/` */
  filesRoot: string;
  /** Runs a file operation and resolves to the storage updates Nextcloud published for it. */
  updatesOf(operation: () => Promise<unknown>): Promise<StorageUpdate[]>;
  close(): Promise<void>;
}

export async function startNextcloudFixture(uids: string[]): Promise<NextcloudFixture> {
  const redis: RedisServerProcess = await startRedisServer();
  const db: TestDatabase = await createTestDatabase();
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: db.pool, prefix: db.prefix },
    redis: redis.options,
    users: uids.map((uid) => ({ uid, password: `${uid}-password` })),
  });
  const subscriber = new Redis(redis.options);
  const received: StorageUpdate[] = [];
  let sentinels = 0;
  subscriber.on('message', (_channel: string, message: string) => {
    const payload = JSON.parse(message) as { storage: number; path: string; file_id: number };
    if (payload.storage === -1) sentinels++;
    else received.push({ storageId: payload.storage, path: payload.path, fileId: payload.file_id });
  });
  await subscriber.subscribe('notify_storage_update');
  const database = openNextcloudDatabase(db.url, { prefix: db.prefix, logger });
  const urls = new ResourceUrls(nextcloud.url);
  return {
    nextcloud,
    database,
    mapping: new StorageMapping({ database, logger }),
    urls,
    filesRoot: urls.filesRoot,
    async updatesOf(operation) {
      received.length = 0;
      await operation();
      // Published after the operation's updates on the same connection, so it arrives last.
      const expected = sentinels + 1;
      await nextcloud.publish('notify_storage_update', { storage: -1, path: '', file_id: 0 });
      await until(() => sentinels === expected, 'the storage updates');
      return [...received];
    },
    async close() {
      subscriber.disconnect();
      await database.close();
      await nextcloud.close();
      await db.drop();
      await redis.stop();
    },
  };
}

/** The filecache reads of `database`, counting the queries they run. */
export function countingFiles(database: NextcloudDatabase) {
  const counter = {
    queries: 0,
    files: {
      filesById(ids: readonly number[]) {
        counter.queries++;
        return database.filesById(ids);
      },
      filesByPath(storageId: number, paths: readonly string[]) {
        counter.queries++;
        return database.filesByPath(storageId, paths);
      },
      maxFileId: () => database.maxFileId(),
    },
  };
  return counter;
}
