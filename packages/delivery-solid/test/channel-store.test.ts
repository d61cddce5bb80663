import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@gw/testkit';
import pino from 'pino';
import { ChannelStore } from '../src/channel-store.js';
import type { StoredChannel } from '../src/stored-channel.js';

function channel(overrides: Partial<StoredChannel> = {}): StoredChannel {
  return {
    id: randomUUID(),
    type: 'WebSocketChannel2023',
    owner: 'alice',
    topic: 'https://cloud.example.com/remote.php/dav/files/alice/a.txt',
    createdAt: 1_000,
    startAt: undefined,
    endAt: 10_000,
    rateMs: undefined,
    state: undefined,
    accept: undefined,
    mediaType: 'application/ld+json',
    contextStyle: 'notifications-context',
    receiveTokenHash: undefined,
    sendTo: undefined,
    webhookSecret: undefined,
    ...overrides,
  };
}

describe('ChannelStore', () => {
  let db: TestDatabase;
  let store: ChannelStore;

  before(async () => {
    db = await createTestDatabase();
    store = new ChannelStore({ url: db.url, logger: pino({ level: 'silent' }) });
    await store.migrate();
  });
  after(async () => {
    await store.close();
    await db.drop();
  });

  it('migrates once, however many replicas start at the same time', async () => {
    const others = [1, 2, 3].map(
      () => new ChannelStore({ url: db.url, logger: pino({ level: 'silent' }) }),
    );
    await Promise.all(others.map((other) => other.migrate()));
    await Promise.all(others.map((other) => other.close()));
    const { rows } = await db.pool.query(
      'SELECT version FROM notify_gateway_migrations ORDER BY version',
    );
    assert.deepEqual(rows, [{ version: 1 }, { version: 2 }, { version: 3 }]);
  });

  it('keeps every field of a channel', async () => {
    const full = channel({
      startAt: 2_000,
      rateMs: 1_500,
      state: '"abc"',
      accept: 'text/turtle',
      mediaType: 'text/turtle',
      contextStyle: 'legacy-notification',
      receiveTokenHash: 'f'.repeat(64),
    });
    await store.insert(full);
    assert.deepEqual(await store.get(full.id), full);
    await store.clearState(full.id);
    assert.equal((await store.get(full.id))?.state, undefined);
    assert.equal(await store.delete(full.id), true);
    assert.equal(await store.delete(full.id), false);
  });

  it('writes concurrent inserts in shared statements, each one resolved', async () => {
    const channels = Array.from({ length: 1_200 }, () => channel({ owner: 'many' }));
    await Promise.all(channels.map((c) => store.insert(c)));
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM notify_gateway_channels WHERE owner = 'many'",
    );
    assert.equal(rows[0]?.n, 1_200);
  });

  it('rejects the inserts of a failed statement', async () => {
    const duplicate = channel();
    await store.insert(duplicate);
    await assert.rejects(store.insert(duplicate), /duplicate key/);
  });

  it('loads the live channels across pages and deletes the ended ones', async () => {
    await Promise.all(Array.from({ length: 4_500 }, () => store.insert(channel())));
    const live = (await store.live(5_000)).length;
    assert.ok(live > 5_000, `${live} channels: more than one page`);
    const ids = new Set((await store.live(5_000)).map((c) => c.id));
    assert.equal(ids.size, live, 'no channel read twice');
    await store.insert(channel({ endAt: 4_000 }));
    assert.equal((await store.live(5_000)).length, live);
    assert.equal(await store.deleteEnded(4_000), 1);
  });
});
