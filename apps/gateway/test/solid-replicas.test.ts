// Channels outlive gateway processes and are shared by replicas: the store is PostgreSQL, and
// replicas keep their indexes in step over Redis.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, TestWebSocket, until } from '@gw/testkit';
import pino from 'pino';
import { type Gateway, startGateway } from '../src/gateway.js';
import {
  basic,
  davUrl,
  listen,
  nextNotification,
  startSolidStack,
  subscribe,
} from './solid-client.js';
import type { Stack } from './stack.js';

const users = [{ uid: 'alice', password: 'alice-pw' }];

/** Another gateway process on the same Redis and databases, behind the same public URL. */
async function replica(stack: Stack): Promise<Gateway> {
  return startGateway({ ...stack.config, port: await freePort() }, pino({ level: 'silent' }));
}

/** The same receiveFrom, reached at another replica (as a load balancer would send it). */
function at(gateway: Gateway, receiveFrom: string): string {
  const url = new URL(receiveFrom);
  url.port = String(gateway.port);
  return url.toString();
}

describe('Solid channels across replicas', () => {
  let stack: Stack & { base: string };
  let second: Gateway;

  before(async () => {
    stack = await startSolidStack({ users });
    second = await replica(stack);
  });
  after(async () => {
    await second.close();
    await stack.close();
  });

  it('serves a channel created on one replica from a socket on another', async () => {
    const topic = davUrl(stack, 'alice', 'shared-state.txt');
    const { json } = await subscribe(
      stack.base,
      { topic },
      { authorization: basic('alice', 'alice-pw') },
    );
    const receiveFrom = String(json?.receiveFrom);
    await until(() => second.solid?.index.size === stack.gateway.solid?.index.size, 'the sync');
    const socket = await TestWebSocket.open(at(second, receiveFrom));
    await stack.nextcloud.writeFile('alice', 'files/shared-state.txt', 'x');
    const notification = await nextNotification(socket);
    assert.deepEqual([notification.type, notification.object], ['Create', topic]);
    socket.close();
  });

  it('closes the sockets on every replica when the channel is deleted on one', async () => {
    const topic = davUrl(stack, 'alice', 'gone.txt');
    const { json } = await subscribe(
      stack.base,
      { topic },
      { authorization: basic('alice', 'alice-pw') },
    );
    await until(
      () => second.solid?.index.get(String(json?.id).split('/').pop() ?? '') !== undefined,
      'the sync',
    );
    const socket = await TestWebSocket.open(at(second, String(json?.receiveFrom)));
    const response = await fetch(String(json?.id), {
      method: 'DELETE',
      headers: { authorization: basic('alice', 'alice-pw') },
    });
    assert.equal(response.status, 205);
    assert.equal(await socket.next(), 'Notification channel was deleted');
    assert.equal(await socket.closed, 4410);
  });

  it('delivers each event once per socket, whichever replica holds it', async () => {
    const topic = davUrl(stack, 'alice', 'once.txt');
    const { channel, socket } = await listen(stack, 'alice', 'alice-pw', { topic });
    await until(() => second.solid?.index.size === stack.gateway.solid?.index.size, 'the sync');
    const other = await TestWebSocket.open(at(second, String(channel.receiveFrom)));
    await stack.nextcloud.writeFile('alice', 'files/once.txt', 'x');
    assert.equal((await nextNotification(socket)).type, 'Create');
    assert.equal((await nextNotification(other)).type, 'Create');
    await socket.nothingWithin(300);
    await other.nothingWithin(0);
    socket.close();
    other.close();
  });
});

describe('Solid channels across a restart', () => {
  let stack: Stack & { base: string };

  before(async () => {
    stack = await startSolidStack({ users });
  });
  after(() => stack.close());

  it('keeps channels: the same receiveFrom works after the gateway restarts', async () => {
    const topic = davUrl(stack, 'alice', 'durable.txt');
    const { channel, socket } = await listen(stack, 'alice', 'alice-pw', { topic });
    await stack.gateway.close();
    assert.equal(await socket.closed, 1001, 'going away, so the client reconnects');
    const restarted = await startGateway(stack.config, pino({ level: 'silent' }));
    try {
      const again = await TestWebSocket.open(String(channel.receiveFrom));
      await stack.nextcloud.writeFile('alice', 'files/durable.txt', 'after the restart');
      // A generous wait: the restarted process is cold (JIT, caches) on a busy CI machine.
      const notification = await nextNotification(again, 10_000);
      assert.deepEqual([notification.type, notification.object], ['Create', topic]);
      again.close();
    } finally {
      await restarted.close();
    }
    // The stack closes its own gateway again; a second close must be harmless.
  });
});
