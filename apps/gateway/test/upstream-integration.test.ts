// The 13 integration cases of upstream notify_push (tests/integration.rs; reference/notify_push.md
// §8.2), run against the whole gateway: real Redis, a real PostgreSQL database holding Nextcloud's
// tables, the simulated Nextcloud's uid endpoint, real WebSockets. Debouncing is off, as upstream.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { mountPointHash, TestWebSocket } from '@gw/testkit';
import { connectAuth, type Stack, startStack } from './stack.js';

const users = [
  { uid: 'foo', password: 'bar' },
  { uid: 'foo2', password: 'bar' },
  { uid: 'foo3', password: 'bar' },
];

async function addFilecacheItem(stack: Stack, fileId: number, path: string) {
  await stack.database.pool.query(
    'INSERT INTO oc_filecache (fileid, storage, path, path_hash, name) VALUES ($1, 0, $2, $3, $4)',
    [fileId, path, md5(path), path.split('/').pop()],
  );
}

async function addStorageMapping(stack: Stack, user: string, storage: number, root: number) {
  const mountPoint = `/${user}/`;
  await stack.database.pool.query(
    `INSERT INTO oc_mounts (storage_id, root_id, user_id, mount_point, mount_point_hash)
     VALUES ($1, $2, $3, $4, $5)`,
    [storage, root, user, mountPoint, await mountPointHash(mountPoint)],
  );
}

function md5(text: string) {
  return createHash('md5').update(text).digest('hex');
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('upstream notify_push integration cases', () => {
  let stack: Stack;
  const clients: TestWebSocket[] = [];
  const connect = async (user: string) => {
    const client = await connectAuth(stack, user, 'bar');
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    stack = await startStack({ users });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await stack.close();
  });

  it('test_auth: authenticates with the right password', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    clients.push(client);
    client.send('foo', 'bar');
    assert.equal(await client.next(), 'authenticated');
  });

  it('test_auth_failure: replies err: Invalid credentials to a wrong password', async () => {
    const client = await TestWebSocket.open(stack.wsUrl);
    clients.push(client);
    client.send('foo', 'not_bar');
    assert.equal(await client.next(), 'err: Invalid credentials');
  });

  it('test_notify_activity: sends notify_activity to the user', async () => {
    const client = await connect('foo');
    await stack.nextcloud.publish('notify_activity', { user: 'foo' });
    assert.equal(await client.next(), 'notify_activity');
  });

  it('test_notify_activity_other_user: sends nothing for another user', async () => {
    const client = await connect('foo');
    await stack.nextcloud.publish('notify_activity', { user: 'someone_else' });
    await client.nothingWithin();
  });

  it('test_notify_file: sends notify_file for a change below the mount root', async () => {
    await addFilecacheItem(stack, 10, 'foo');
    await addFilecacheItem(stack, 11, 'foo/bar');
    await addStorageMapping(stack, 'foo', 10, 11);
    const client = await connect('foo');
    await stack.nextcloud.publish('notify_storage_update', {
      storage: 10,
      path: 'foo/bar',
      file_id: 5,
    });
    assert.equal(await client.next(), 'notify_file');
  });

  it('test_notify_file_different_storage: keys the mapping by storage id', async () => {
    await addFilecacheItem(stack, 10, 'foo');
    await addFilecacheItem(stack, 11, 'foo/bar');
    await addStorageMapping(stack, 'foo', 10, 11);
    const client = await connect('foo');
    await stack.nextcloud.publish('notify_storage_update', {
      storage: 11,
      path: 'foo/bar',
      file_id: 5,
    });
    await client.nothingWithin();
  });

  it('test_notify_file_multiple: notifies every user with a matching mount and no one else', async () => {
    await addFilecacheItem(stack, 10, 'foo');
    await addFilecacheItem(stack, 11, 'foo/bar');
    await addFilecacheItem(stack, 12, 'foo/outside');
    await addStorageMapping(stack, 'foo', 10, 10);
    await addStorageMapping(stack, 'foo2', 10, 11);
    await addStorageMapping(stack, 'foo2', 10, 12);
    const [foo, foo2, foo3] = [await connect('foo'), await connect('foo2'), await connect('foo3')];
    await stack.nextcloud.publish('notify_storage_update', {
      storage: 10,
      path: 'foo/bar',
      file_id: 5,
    });
    assert.equal(await foo.next(), 'notify_file');
    assert.equal(await foo2.next(), 'notify_file');
    await foo2.nothingWithin();
    await foo3.nothingWithin();
  });

  it('test_pre_auth: authenticates with a pre-auth token as its user', async () => {
    await wait(100);
    await stack.nextcloud.publish('notify_pre_auth', { user: 'foo', token: 'token' });
    await wait(100);
    const client = await TestWebSocket.open(stack.wsUrl);
    clients.push(client);
    client.send('', 'token');
    assert.equal(await client.next(), 'authenticated');
    await stack.nextcloud.publish('notify_activity', { user: 'foo' });
    assert.equal(await client.next(), 'notify_activity');
  });

  it('test_notify_notification: sends notify_notification to the user only', async () => {
    const [foo, foo2] = [await connect('foo'), await connect('foo2')];
    await stack.nextcloud.publish('notify_notification', { user: 'foo' });
    assert.equal(await foo.next(), 'notify_notification');
    await foo2.nothingWithin();
  });

  it('test_notify_share: sends notify_file to the share recipient only', async () => {
    const [foo, foo2] = [await connect('foo'), await connect('foo2')];
    await stack.nextcloud.publish('notify_user_share_created', { user: 'foo' });
    assert.equal(await foo.next(), 'notify_file');
    await foo2.nothingWithin();
  });

  it('test_notify_group: sends notify_file on a group membership change', async () => {
    const [foo, foo2] = [await connect('foo'), await connect('foo2')];
    await stack.nextcloud.publish('notify_group_membership_update', { user: 'foo', group: 'asd' });
    assert.equal(await foo.next(), 'notify_file');
    await foo2.nothingWithin();
  });

  it('test_notify_custom: sends the bare custom message', async () => {
    const [foo, foo2] = [await connect('foo'), await connect('foo2')];
    await stack.nextcloud.publish('notify_custom', { user: 'foo', message: 'my_custom_message' });
    assert.equal(await foo.next(), 'my_custom_message');
    await foo2.nothingWithin();
  });

  it('test_notify_custom_body: sends the custom message with its JSON body', async () => {
    const [foo, foo2] = [await connect('foo'), await connect('foo2')];
    await stack.nextcloud.publish('notify_custom', {
      user: 'foo',
      message: 'my_custom_message',
      body: [1, 2, 3],
    });
    assert.equal(await foo.next(), 'my_custom_message [1,2,3]');
    await foo2.nothingWithin();
  });
});
