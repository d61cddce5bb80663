import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NodeNotFoundError, ShareRefusedError, UnknownUserError } from '../src/index.js';
import { filecacheRow, type Harness, homeStorage, startHarness } from './harness.js';

describe('user shares of the simulated Nextcloud', () => {
  let harness: Harness;

  before(async () => {
    harness = await startHarness({
      users: [
        { uid: 'alice', password: 'pw' },
        { uid: 'bob', password: 'pw' },
      ],
    });
    await harness.nextcloud.mkdir('alice', 'files/docs');
    await harness.nextcloud.writeFile('alice', 'files/docs/a.txt', 'a');
    await harness.drain();
  });
  after(() => harness.close());

  const p = () => harness.database.prefix;

  it('stores a TYPE_USER share, mounts the node for the recipient and publishes the recipient', async () => {
    const docs = await filecacheRow(harness, 'alice', 'files/docs');
    await harness.nextcloud.share('alice', 'files/docs', 'bob');

    const shares = await harness.database.pool.query(
      `SELECT share_type, share_with, uid_owner, uid_initiator, item_type, item_source,
              file_source::int, file_target, permissions, accepted FROM ${p()}share`,
    );
    assert.deepEqual(shares.rows, [
      {
        share_type: 0,
        share_with: 'bob',
        uid_owner: 'alice',
        uid_initiator: 'alice',
        item_type: 'folder',
        item_source: String(docs?.fileid),
        file_source: docs?.fileid,
        file_target: '/docs',
        permissions: 31,
        accepted: 1,
      },
    ]);

    const mounts = await harness.database.pool.query(
      `SELECT storage_id::int, root_id::int, mount_point, mount_point_hash, mount_provider_class
         FROM ${p()}mounts WHERE user_id = 'bob' ORDER BY id`,
    );
    assert.deepEqual(mounts.rows[1], {
      storage_id: await homeStorage(harness, 'alice'),
      root_id: docs?.fileid,
      mount_point: '/bob/files/docs/',
      // hash('xxh128', '/bob/files/docs/') as PHP computes it
      mount_point_hash: 'a0f5481e5648cc2c33dadcee676f8a40',
      mount_provider_class: 'OCA\\Files_Sharing\\MountProvider',
    });

    assert.deepEqual(await harness.drain(), [
      { channel: 'notify_user_share_created', message: '{"user":"bob"}' },
    ]);
  });

  it('refuses what the share manager refuses and publishes nothing', async () => {
    const nc = harness.nextcloud;
    await assert.rejects(nc.share('alice', 'files/docs', 'bob'), ShareRefusedError);
    await assert.rejects(nc.share('alice', 'files/docs', 'alice'), ShareRefusedError);
    await assert.rejects(nc.share('alice', 'files', 'bob'), ShareRefusedError);
    await assert.rejects(nc.share('alice', 'files/none', 'bob'), NodeNotFoundError);
    await assert.rejects(nc.share('alice', 'files/docs', 'carol'), UnknownUserError);
    assert.deepEqual(await harness.drain(), []);
  });

  it('drops the share and the mount when the shared node is deleted', async () => {
    await harness.nextcloud.delete('alice', 'files/docs');
    const shares = await harness.database.pool.query(`SELECT 1 FROM ${p()}share`);
    assert.equal(shares.rowCount, 0);
    const mounts = await harness.database.pool.query(
      `SELECT mount_point FROM ${p()}mounts WHERE user_id = 'bob'`,
    );
    assert.deepEqual(mounts.rows, [{ mount_point: '/bob/' }]);
    await harness.drain();
  });
});
