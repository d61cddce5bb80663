import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UserEvent } from '@gw/events';
import { type MountedRoot, Normalizer } from '../src/index.js';

/** A storage mapping backed by a literal table, standing in for the database-backed one. */
function mappingOf(storages: Record<number, MountedRoot[]>) {
  return {
    forgotten: 0,
    async mounts(storageId: number) {
      return storages[storageId] ?? [];
    },
    forgetAll() {
      this.forgotten++;
    },
  };
}

const at = 1_700_000_000_000;

function storageUpdate(storage: number, path: string, fileId: number) {
  return {
    channel: 'notify_storage_update' as const,
    payload: { storage, path, file_id: fileId },
  };
}

function usersOf(events: UserEvent[]) {
  return events.map((event) => event.user).sort();
}

describe('Normalizer', () => {
  // upstream test_notify_file / test_notify_file_multiple (reference/notify_push.md §8.2)
  const upstreamMapping = mappingOf({
    10: [
      { userId: 'foo', rootPath: 'foo', mountPoint: '/foo/' },
      { userId: 'foo2', rootPath: 'foo/bar', mountPoint: '/foo2/files/bar/' },
      { userId: 'foo2', rootPath: 'foo/outside', mountPoint: '/foo2/files/outside/' },
    ],
  });

  it('resolves a storage update to every user whose mount root contains the path', async () => {
    const normalizer = new Normalizer({ mapping: upstreamMapping });
    const events = await normalizer.normalize(storageUpdate(10, 'foo/bar', 5), at);
    assert.deepEqual(usersOf(events), ['foo', 'foo2']);
  });

  it('keys the mapping by storage id', async () => {
    const normalizer = new Normalizer({ mapping: upstreamMapping });
    assert.deepEqual(await normalizer.normalize(storageUpdate(11, 'foo/bar', 5), at), []);
  });

  it('matches mount roots by whole path segments', async () => {
    const normalizer = new Normalizer({
      mapping: mappingOf({
        1: [{ userId: 'bob', rootPath: 'files/abc', mountPoint: '/bob/files/abc/' }],
      }),
    });
    assert.deepEqual(await normalizer.normalize(storageUpdate(1, 'files/abcdef', 5), at), []);
    assert.equal((await normalizer.normalize(storageUpdate(1, 'files/abc', 5), at)).length, 1);
  });

  it('gives the owner and a share recipient the path each of them sees', async () => {
    const normalizer = new Normalizer({
      mapping: mappingOf({
        3: [
          { userId: 'alice', rootPath: '', mountPoint: '/alice/' },
          { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' },
        ],
      }),
    });
    const events = await normalizer.normalize(storageUpdate(3, 'files/docs/a.txt', 42), at);
    assert.deepEqual(events, [
      {
        type: 'file',
        user: 'alice',
        receivedAt: at,
        change: {
          fileId: 42,
          storage: 3,
          storagePath: 'files/docs/a.txt',
          userPaths: ['files/docs/a.txt'],
        },
      },
      {
        type: 'file',
        user: 'bob',
        receivedAt: at,
        change: {
          fileId: 42,
          storage: 3,
          storagePath: 'files/docs/a.txt',
          userPaths: ['files/Shared/docs/a.txt'],
        },
      },
    ]);
  });

  it('sends one event per user when several of their mounts match', async () => {
    const normalizer = new Normalizer({
      mapping: mappingOf({
        3: [
          { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/docs/' },
          { userId: 'bob', rootPath: 'files/docs/sub', mountPoint: '/bob/files/sub/' },
        ],
      }),
    });
    const events = await normalizer.normalize(storageUpdate(3, 'files/docs/sub/x', 7), at);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.type === 'file' && events[0].change?.userPaths, [
      'files/docs/sub/x',
      'files/sub/x',
    ]);
  });

  it('turns group membership and new shares into an update of unknown files and fresh mounts', async () => {
    const mapping = mappingOf({});
    const normalizer = new Normalizer({ mapping });
    const group = await normalizer.normalize(
      { channel: 'notify_group_membership_update', payload: { user: 'foo', group: 'asd' } },
      at,
    );
    const share = await normalizer.normalize(
      { channel: 'notify_user_share_created', payload: { user: 'foo' } },
      at,
    );
    assert.deepEqual(group, [{ type: 'file', user: 'foo', change: null, receivedAt: at }]);
    assert.deepEqual(share, group);
    assert.equal(mapping.forgotten, 2, 'cached mounts were dropped for each');
  });

  it('passes activity, notification and custom events through for their user', async () => {
    const normalizer = new Normalizer({ mapping: mappingOf({}) });
    const activity = { channel: 'notify_activity' as const, payload: { user: 'foo' } };
    const notification = { channel: 'notify_notification' as const, payload: { user: 'foo' } };
    const custom = {
      channel: 'notify_custom' as const,
      payload: { user: 'foo', message: 'my_message', body: [1, 2, 3] },
    };
    assert.deepEqual(await normalizer.normalize(activity, at), [
      { type: 'activity', user: 'foo', receivedAt: at },
    ]);
    assert.deepEqual(await normalizer.normalize(notification, at), [
      { type: 'notification', user: 'foo', receivedAt: at },
    ]);
    assert.deepEqual(await normalizer.normalize(custom, at), [
      { type: 'custom', user: 'foo', message: 'my_message', body: [1, 2, 3], receivedAt: at },
    ]);
  });

  it('rejects when the mounts cannot be loaded', async () => {
    const normalizer = new Normalizer({
      mapping: { mounts: () => Promise.reject(new Error('connection refused')), forgetAll() {} },
    });
    await assert.rejects(
      normalizer.normalize(storageUpdate(1, 'files', 1), at),
      /connection refused/,
    );
  });
});
