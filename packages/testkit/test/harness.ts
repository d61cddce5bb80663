import { once } from 'node:events';
import { Redis } from 'ioredis';
import {
  createTestDatabase,
  type RedisServerProcess,
  SimulatedNextcloud,
  type SimulatedNextcloudOptions,
  startRedisServer,
  type TestDatabase,
} from '../src/index.js';

export interface Published {
  channel: string;
  message: string;
}

/**
 * A simulated Nextcloud on a private redis-server and a throwaway database, with a subscriber
 * that hears everything it publishes.
 */
export interface Harness {
  redis: RedisServerProcess;
  database: TestDatabase;
  nextcloud: SimulatedNextcloud;
  /** A plain client of the private Redis, for keys. */
  client: Redis;
  /** What was published since the previous call, in order. */
  drain(): Promise<Published[]>;
  close(): Promise<void>;
}

const MARKER_CHANNEL = 'testkit_marker';

export async function startHarness(
  options: Partial<SimulatedNextcloudOptions> = {},
): Promise<Harness> {
  const redis = await startRedisServer();
  const database = await createTestDatabase();
  const subscriber = new Redis(redis.url);
  const client = new Redis(redis.url);
  const heard: Published[] = [];
  subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
    heard.push({ channel, message });
  });
  await subscriber.psubscribe('*');
  const nextcloud = await SimulatedNextcloud.start({
    database: { pool: database.pool, prefix: database.prefix },
    redis: redis.url,
    ...options,
  });
  let markers = 0;
  return {
    redis,
    database,
    nextcloud,
    client,
    // One publisher connection delivers in order, so everything before our marker has arrived.
    async drain() {
      const marker = String(++markers);
      const arrived = new Promise<void>((resolve) => {
        const check = (_pattern: string, channel: string, message: string) => {
          if (channel !== MARKER_CHANNEL || message !== marker) return;
          subscriber.off('pmessage', check);
          resolve();
        };
        subscriber.on('pmessage', check);
      });
      await nextcloud.publish(MARKER_CHANNEL, marker);
      await arrived;
      const drained = heard.splice(0).filter((item) => item.channel !== MARKER_CHANNEL);
      return drained;
    },
    async close() {
      await nextcloud.close();
      subscriber.disconnect();
      client.disconnect();
      await Promise.all([once(subscriber, 'end'), once(client, 'end')]);
      await database.drop();
      await redis.stop();
    },
  };
}

/** `notify_storage_update` messages as `[path, file_id]` pairs, for compact assertions. */
export function storageUpdates(published: Published[], storage: number): [string, number][] {
  return published.map(({ channel, message }) => {
    if (channel !== 'notify_storage_update') throw new Error(`unexpected ${channel} ${message}`);
    const payload = JSON.parse(message) as { storage: number; path: string; file_id: number };
    if (payload.storage !== storage) throw new Error(`unexpected storage in ${message}`);
    return [payload.path, payload.file_id];
  });
}

export async function homeStorage(harness: Harness, uid: string): Promise<number> {
  const { rows } = await harness.database.pool.query<{ numeric_id: string }>(
    `SELECT numeric_id FROM ${harness.database.prefix}storages WHERE id = $1`,
    [`home::${uid}`],
  );
  return Number(rows[0]?.numeric_id);
}

export interface FilecacheRow {
  fileid: number;
  path: string;
  parent: number;
  name: string;
  mimetype: string;
  size: number;
  mtime: number;
  etag: string;
  permissions: number;
}

/** The filecache row at `path` in `uid`'s home, with its mimetype spelled out. */
export async function filecacheRow(
  harness: Harness,
  uid: string,
  path: string,
): Promise<FilecacheRow | undefined> {
  const p = harness.database.prefix;
  const { rows } = await harness.database.pool.query(
    `SELECT f.fileid::int, f.path, f.parent::int, f.name, m.mimetype, f.size::int, f.mtime::int,
            f.etag, f.permissions, f.path_hash = md5(f.path) AS hash_ok
       FROM ${p}filecache f
       JOIN ${p}mimetypes m ON m.id = f.mimetype
       JOIN ${p}storages s ON s.numeric_id = f.storage
      WHERE s.id = $1 AND f.path = $2`,
    [`home::${uid}`, path],
  );
  const row = rows[0] as (FilecacheRow & { hash_ok: boolean }) | undefined;
  if (!row) return undefined;
  if (!row.hash_ok) throw new Error(`path_hash of ${path} is not md5(path)`);
  const { hash_ok: _, ...entry } = row;
  return entry;
}
