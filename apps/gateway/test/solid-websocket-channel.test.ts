// Community Solid Server's WebSocketChannel2023 integration cases (reference/solid.md §4),
// adapted: topics are Nextcloud WebDAV URLs and changes go through the simulated Nextcloud
// (filecache rows and notify_storage_update), as a desktop client's upload would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket } from '@gw/testkit';
import { Parser } from 'n3';
import {
  AS_CONTEXT,
  basic,
  davUrl,
  LEGACY_CONTEXT,
  listen,
  NOTIFY,
  nextNotification,
  startSolidStack,
  subscribe,
  WS_CHANNEL,
} from './solid-client.js';
import type { Stack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
];
const STORAGE_DESCRIPTION = 'http://www.w3.org/ns/solid/terms#storageDescription';

describe('WebSocketChannel2023, the CSS integration cases', () => {
  let stack: Stack & { base: string };
  const alice = { authorization: basic('alice', 'alice-pw') };
  const topic = () => davUrl(stack, 'alice', 'foo.txt');

  before(async () => {
    stack = await startSolidStack({ users });
  });
  after(() => stack.close());

  it('links to the storage description', async () => {
    for (const [method, path] of [
      ['GET', '.well-known/solid'],
      ['HEAD', 'livez'],
      ['OPTIONS', '.notifications/WebSocketChannel2023/'],
      ['GET', 'nothing-here'],
    ] as const) {
      const response = await fetch(`${stack.base}${path}`, { method });
      assert.equal(
        response.headers.get('link'),
        `<${stack.base}.well-known/solid>; rel="${STORAGE_DESCRIPTION}"`,
        `${method} /${path}`,
      );
    }
  });

  it('exposes metadata on how to subscribe in the storage description', async () => {
    const response = await fetch(`${stack.base}.well-known/solid`, {
      headers: { accept: 'text/turtle' },
    });
    assert.match(response.headers.get('content-type') ?? '', /^text\/turtle/);
    const quads = new Parser({ baseIRI: `${stack.base}.well-known/solid` }).parse(
      await response.text(),
    );
    const services = quads
      .filter((q) => q.predicate.value === `${NOTIFY}subscription`)
      .map((q) => q.object.value);
    const websocket = services.filter((service) =>
      quads.some(
        (q) =>
          q.subject.value === service &&
          q.predicate.value === `${NOTIFY}channelType` &&
          q.object.value === WS_CHANNEL,
      ),
    );
    assert.deepEqual(websocket, [`${stack.base}.notifications/WebSocketChannel2023/`]);
  });

  it('supports subscribing', async () => {
    const { response, json } = await subscribe(stack.base, { topic: topic() }, alice);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/ld\+json/);
    assert.equal(json?.type, WS_CHANNEL);
    assert.match(
      String(json?.receiveFrom),
      /^ws:\/\/127\.0\.0\.1:\d+\/\.notifications\/WebSocketChannel2023\/socket\/[\w-]{43}$/,
    );
    assert.deepEqual(json?.['@context'], [LEGACY_CONTEXT]);
  });

  it('emits Create, Update and Delete events', async () => {
    const { socket } = await listen(stack, 'alice', 'alice-pw', { topic: topic() });
    await stack.nextcloud.writeFile('alice', 'files/foo.txt', 'one');
    const created = await nextNotification(socket);
    assert.deepEqual(Object.keys(created), [
      '@context',
      'id',
      'type',
      'object',
      'state',
      'published',
    ]);
    assert.deepEqual(created['@context'], [AS_CONTEXT, LEGACY_CONTEXT]);
    assert.equal(created.type, 'Create');
    assert.equal(created.object, topic());
    assert.match(String(created.id), /^urn:uuid:[0-9a-f-]{36}$/);
    assert.match(String(created.state), /^"[0-9a-f]{32}"$/);

    await stack.nextcloud.writeFile('alice', 'files/foo.txt', 'two');
    const updated = await nextNotification(socket);
    assert.equal(updated.type, 'Update');
    assert.notEqual(updated.state, created.state);
    assert.notEqual(updated.id, created.id);

    await stack.nextcloud.delete('alice', 'files/foo.txt');
    const deleted = await nextNotification(socket);
    assert.deepEqual(
      { type: deleted.type, object: deleted.object, state: deleted.state },
      { type: 'Delete', object: topic(), state: undefined },
    );
    await socket.nothingWithin(200);
    socket.close();
  });

  it('prevents subscribing to restricted resources', async () => {
    const anonymous = await subscribe(stack.base, { topic: topic() });
    assert.equal(anonymous.response.status, 401);
    assert.match(
      anonymous.response.headers.get('www-authenticate') ?? '',
      /Basic realm="Nextcloud"/,
    );
    const foreign = await subscribe(
      stack.base,
      { topic: topic() },
      { authorization: basic('bob', 'bob-pw') },
    );
    assert.equal(foreign.response.status, 403);
    assert.match(String(foreign.json?.message), /alice|bob/);
    const wrong = await subscribe(
      stack.base,
      { topic: topic() },
      { authorization: basic('alice', 'nope') },
    );
    assert.equal(wrong.response.status, 401);
    assert.equal((await subscribe(stack.base, { topic: topic() }, alice)).response.status, 200);
  });

  it('sends a notification if a state value was sent along', async () => {
    await stack.nextcloud.writeFile('alice', 'files/stated.txt', 'x');
    const { socket } = await listen(stack, 'alice', 'alice-pw', {
      topic: davUrl(stack, 'alice', 'stated.txt'),
      state: 'abc',
    });
    const notification = await nextNotification(socket);
    assert.equal(notification.type, 'Update');
    assert.match(String(notification.state), /^"[0-9a-f]{32}"$/);
    socket.close();
  });

  it('removes expired channels', async () => {
    const { json } = await subscribe(
      stack.base,
      { topic: topic(), endAt: '1988-03-09T14:48:00.000Z' },
      alice,
    );
    const socket = new TestWebSocket(String(json?.receiveFrom));
    assert.match(
      await socket.next(),
      /^There was an error opening this WebSocket: Unknown or expired WebSocket channel ws:/,
    );
    assert.equal(await socket.closed, 4404);
  });

  it('emits container notifications if contents get added or removed', async () => {
    await stack.nextcloud.mkdir('alice', 'files/box');
    const container = davUrl(stack, 'alice', 'box/');
    const { socket } = await listen(stack, 'alice', 'alice-pw', { topic: container });
    await stack.nextcloud.writeFile('alice', 'files/box/resource.txt', 'x');
    const added = await nextNotification(socket);
    assert.deepEqual(Object.keys(added), [
      '@context',
      'id',
      'type',
      'object',
      'target',
      'state',
      'published',
    ]);
    assert.deepEqual(
      { type: added.type, object: added.object, target: added.target },
      { type: 'Add', object: davUrl(stack, 'alice', 'box/resource.txt'), target: container },
    );
    await stack.nextcloud.delete('alice', 'files/box/resource.txt');
    const removed = await nextNotification(socket);
    assert.deepEqual(
      { type: removed.type, object: removed.object, target: removed.target },
      { type: 'Remove', object: davUrl(stack, 'alice', 'box/resource.txt'), target: container },
    );
    socket.close();
  });

  it('can use other RDF formats and content negotiation when creating a channel', async () => {
    const response = await fetch(`${stack.base}.notifications/WebSocketChannel2023/`, {
      method: 'POST',
      headers: { 'content-type': 'text/turtle', accept: 'text/turtle', ...alice },
      body: `@prefix notify: <${NOTIFY}>.\n_:id a notify:WebSocketChannel2023; notify:topic <${topic()}>.`,
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/turtle/);
    const quads = new Parser().parse(await response.text());
    const values = (predicate: string) =>
      quads.filter((q) => q.predicate.value === predicate).map((q) => q.object.value);
    assert.deepEqual(values('http://www.w3.org/1999/02/22-rdf-syntax-ns#type'), [WS_CHANNEL]);
    assert.deepEqual(values(`${NOTIFY}topic`), [topic()]);
    assert.equal(values(`${NOTIFY}receiveFrom`).length, 1);
  });

  it('can remove notification channels, closing their sockets', async () => {
    const { channel, socket } = await listen(stack, 'alice', 'alice-pw', { topic: topic() });
    const response = await fetch(String(channel.id), { method: 'DELETE', headers: alice });
    assert.equal(response.status, 205);
    assert.equal(await socket.next(), 'Notification channel was deleted');
    assert.equal(await socket.closed, 4410);
    const again = await fetch(String(channel.id), { method: 'DELETE', headers: alice });
    assert.equal(again.status, 404);
  });
});
