import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_USERS, seedDemo, touchRandomFile } from '../src/index.js';
import {
  filecacheRow,
  type Harness,
  homeStorage,
  startHarness,
  storageUpdates,
} from './harness.js';

describe('demo seed', () => {
  let harness: Harness;

  before(async () => {
    harness = await startHarness();
  });
  after(() => harness.close());

  it('creates alice and bob, alice files and a folder shared with bob', async () => {
    const users = await seedDemo(harness.nextcloud);
    assert.deepEqual(users, [
      { uid: 'alice', password: 'alice-password' },
      { uid: 'bob', password: 'bob-password' },
    ]);
    assert.deepEqual(users, DEMO_USERS);
    assert.ok(await filecacheRow(harness, 'alice', 'files/Readme.md'));
    const { rows } = await harness.database.pool.query(
      `SELECT mount_point FROM ${harness.database.prefix}mounts WHERE user_id = 'bob' ORDER BY id`,
    );
    assert.deepEqual(rows, [{ mount_point: '/bob/' }, { mount_point: '/bob/files/Project/' }]);
    const published = await harness.drain();
    assert.deepEqual(published.at(-1), {
      channel: 'notify_user_share_created',
      message: '{"user":"bob"}',
    });
    const response = await fetch(`${harness.nextcloud.url}index.php/apps/notify_push/uid`, {
      headers: { authorization: `Basic ${btoa('bob:bob-password')}` },
    });
    assert.equal(await response.text(), 'bob');
  });

  it('touchRandomFile changes one seeded file and publishes it first', async () => {
    const before = await harness.drain();
    assert.deepEqual(before, []);
    const changed = await touchRandomFile(harness.nextcloud);
    const row = await filecacheRow(harness, 'alice', changed.path);
    assert.equal(row?.fileid, changed.fileId);
    assert.equal(row?.etag, changed.etag);
    const [first] = storageUpdates(await harness.drain(), await homeStorage(harness, 'alice'));
    assert.deepEqual(first, [changed.path, changed.fileId]);
  });
});
