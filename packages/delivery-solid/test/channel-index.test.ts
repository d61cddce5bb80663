import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChannelIndex } from '../src/channel-index.js';
import type { StoredChannel } from '../src/stored-channel.js';

const root = 'https://cloud.example.com/remote.php/dav/files/';

function channel(id: string, owner: string, path: string): StoredChannel {
  return {
    id,
    type: 'WebSocketChannel2023',
    owner,
    topic: `${root}${owner}/${path}`,
    createdAt: 0,
    startAt: undefined,
    endAt: 1_000,
    rateMs: undefined,
    state: undefined,
    accept: undefined,
    mediaType: 'application/ld+json',
    contextStyle: 'notifications-context',
    receiveTokenHash: id.padEnd(64, '0'),
    sendTo: undefined,
    webhookSecret: undefined,
  };
}

const ids = (channels: Iterable<StoredChannel>) => [...channels].map((c) => c.id).sort();

describe('ChannelIndex', () => {
  it('finds the channels of a resource whether it is written as a file or a folder', () => {
    const index = new ChannelIndex();
    index.put(channel('a', 'alice', 'docs/'));
    index.put(channel('b', 'alice', 'docs'));
    assert.deepEqual(ids(index.at('alice', `${root}alice/docs/`)), ['a', 'b']);
    assert.deepEqual(ids(index.at('alice', `${root}alice/docs`)), ['a', 'b']);
    assert.equal(index.isWatched('alice', `${root}alice/docs`), true);
    assert.deepEqual(ids(index.at('bob', `${root}alice/docs`)), []);
  });

  it('finds the channels below a folder, and only those', () => {
    const index = new ChannelIndex();
    index.put(channel('inside', 'alice', 'docs/a.txt'));
    index.put(channel('deeper', 'alice', 'docs/sub/b.txt'));
    index.put(channel('itself', 'alice', 'docs/'));
    index.put(channel('sibling', 'alice', 'docsx/c.txt'));
    assert.deepEqual(ids(index.below('alice', `${root}alice/docs/`)), ['deeper', 'inside']);
  });

  it('keeps counts, receive tokens and users in step as channels come and go', () => {
    const index = new ChannelIndex();
    index.put(channel('a', 'alice', 'x'));
    index.put(channel('b', 'alice', 'y'));
    index.put(channel('a', 'alice', 'x'));
    assert.equal(index.countOf('alice'), 2, 'replacing a channel does not count it twice');
    assert.equal(index.byReceiveToken('a'.padEnd(64, '0'))?.id, 'a');
    assert.equal(index.hasAnyUser(['bob', 'alice']), true);
    index.remove('a');
    index.remove('b');
    assert.equal(index.countOf('alice'), 0);
    assert.equal(index.byReceiveToken('a'.padEnd(64, '0')), undefined);
    assert.equal(index.hasAnyUser(['alice']), false);
    assert.equal(index.size, 0);
  });

  it('lists the channels that ended', () => {
    const index = new ChannelIndex();
    index.put({ ...channel('old', 'alice', 'x'), endAt: 10 });
    index.put({ ...channel('new', 'alice', 'y'), endAt: 100 });
    assert.deepEqual(ids(index.ended(50)), ['old']);
  });
});
