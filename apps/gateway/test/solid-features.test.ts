// The channel features (reference/solid.md §1.5, §3.5) and the other delivery cases a Solid app
// meets, through the whole gateway: subscriptions over HTTP, receivers on real sockets, and
// changes made through the simulated Nextcloud.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket, until } from '@gw/testkit';
import { Parser } from 'n3';
import {
  AS_CONTEXT,
  basic,
  CONTEXT,
  davUrl,
  listen,
  nextNotification,
  startSolidStack,
  subscribe,
} from './solid-client.js';
import type { Stack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
  { uid: 'dave', password: 'dave-pw' },
];
const AS = 'https://www.w3.org/ns/activitystreams#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
/** SOLID_MAX_CHANNEL_DURATION of the stack, in seconds. */
const MAX_DURATION = 3_600;
const PING_MS = 150;

const iso = (ms: number) => new Date(ms).toISOString();

describe('Solid channel features and deliveries', () => {
  let stack: Stack & { base: string };
  const alice = { authorization: basic('alice', 'alice-pw') };
  const url = (path: string, uid = 'alice') => davUrl(stack, uid, path);
  const aliceListens = (body: Record<string, unknown>) => listen(stack, 'alice', 'alice-pw', body);

  before(async () => {
    stack = await startSolidStack({
      users,
      env: { SOLID_MAX_CHANNEL_DURATION: String(MAX_DURATION) },
      solid: { sweepIntervalMs: 100, sockets: { pingIntervalMs: PING_MS } },
    });
  });
  after(() => stack.close());

  describe('startAt', () => {
    it('delivers nothing before startAt and delivers what happens after it', async () => {
      await stack.nextcloud.writeFile('alice', 'files/later.txt', '0');
      const startAt = Date.now() + 1_200;
      const { channel, socket } = await aliceListens({
        topic: url('later.txt'),
        startAt: iso(startAt),
      });
      assert.equal(channel.startAt, iso(startAt));
      await stack.nextcloud.writeFile('alice', 'files/later.txt', 'too early');
      await socket.nothingWithin(Math.max(startAt - Date.now(), 0) + 100);
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/later.txt', 'on time');
      const notification = await nextNotification(socket);
      assert.deepEqual(
        [notification.type, notification.object, notification.state],
        ['Update', url('later.txt'), `"${etag}"`],
      );
      socket.close();
    });
  });

  describe('endAt', () => {
    it('is in every response: the maximum duration when none was asked for', async () => {
      const before = Date.now();
      const { json } = await subscribe(stack.base, { topic: url('any.txt') }, alice);
      const endAt = Date.parse(String(json?.endAt));
      assert.ok(endAt >= before + MAX_DURATION * 1000, `endAt ${json?.endAt}`);
      assert.ok(endAt <= Date.now() + MAX_DURATION * 1000, `endAt ${json?.endAt}`);
    });

    it('is capped by the maximum duration', async () => {
      const before = Date.now();
      const { json } = await subscribe(
        stack.base,
        { topic: url('any.txt'), endAt: iso(before + 2 * MAX_DURATION * 1000) },
        alice,
      );
      const endAt = Date.parse(String(json?.endAt));
      assert.ok(endAt >= before + MAX_DURATION * 1000, `endAt ${json?.endAt}`);
      assert.ok(endAt <= Date.now() + MAX_DURATION * 1000, `endAt ${json?.endAt}`);
    });

    it('is kept as asked when it is within the maximum duration', async () => {
      const endAt = iso(Date.now() + 600_000);
      const { json } = await subscribe(stack.base, { topic: url('any.txt'), endAt }, alice);
      assert.equal(json?.endAt, endAt);
    });

    it('closes an open socket with 4410 when the channel expires, and refuses it after', async () => {
      const { channel, socket } = await aliceListens({
        topic: url('brief.txt'),
        endAt: iso(Date.now() + 800),
      });
      assert.equal(await socket.next(3_000), 'Notification channel has expired');
      assert.equal(await socket.closed, 4410);
      const again = new TestWebSocket(String(channel.receiveFrom));
      assert.match(await again.next(), /Unknown or expired WebSocket channel/);
      assert.equal(await again.closed, 4404);
    });
  });

  describe('state', () => {
    it('sends nothing at once when the state is the current ETag', async () => {
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/same.txt', 'x');
      const { socket } = await aliceListens({ topic: url('same.txt'), state: `"${etag}"` });
      await socket.nothingWithin(300);
      const next = await stack.nextcloud.writeFile('alice', 'files/same.txt', 'y');
      assert.equal((await nextNotification(socket)).state, `"${next.etag}"`);
      socket.close();
    });

    it('compares ETags without their quotes and W/ prefix', async () => {
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/bare.txt', 'x');
      for (const state of [etag, `W/"${etag}"`]) {
        const { socket } = await aliceListens({ topic: url('bare.txt'), state });
        await socket.nothingWithin(200);
        socket.close();
      }
    });

    it('sends an Update with the current state at once when the state differs', async () => {
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/stale.txt', 'x');
      const { socket } = await aliceListens({ topic: url('stale.txt'), state: '"outdated"' });
      const notification = await nextNotification(socket);
      assert.deepEqual(
        [notification.type, notification.object, notification.state],
        ['Update', url('stale.txt'), `"${etag}"`],
      );
      await socket.nothingWithin(200);
      socket.close();
    });

    it('sends a Delete at once when the topic does not exist', async () => {
      const { socket } = await aliceListens({ topic: url('never.txt'), state: '"something"' });
      const notification = await nextNotification(socket);
      assert.deepEqual(
        [notification.type, notification.object, notification.state],
        ['Delete', url('never.txt'), undefined],
      );
      socket.close();
    });

    it('answers on the first socket only', async () => {
      await stack.nextcloud.writeFile('alice', 'files/first.txt', 'x');
      const { channel, socket } = await aliceListens({
        topic: url('first.txt'),
        state: '"outdated"',
      });
      assert.equal((await nextNotification(socket)).type, 'Update');
      const second = await TestWebSocket.open(String(channel.receiveFrom));
      await second.nothingWithin(300);
      await socket.nothingWithin(0);
      socket.close();
      second.close();
    });
  });

  describe('rate', () => {
    it('sends the first change at once and the latest state once the window ends', async () => {
      // The file's creation reaches a channel without rate first: a notification before the
      // receiver's socket is open would take the rate channel's first slot.
      const probe = await aliceListens({ topic: url('busy.txt') });
      await stack.nextcloud.writeFile('alice', 'files/busy.txt', '0');
      await nextNotification(probe.socket);
      probe.socket.close();
      const { channel, socket } = await aliceListens({ topic: url('busy.txt'), rate: 'PT1S' });
      assert.equal(channel.rate, 'PT1S');
      const writing = Date.now();
      const first = await stack.nextcloud.writeFile('alice', 'files/busy.txt', '1');
      const immediate = await nextNotification(socket, 900);
      assert.equal(immediate.state, `"${first.etag}"`);
      await stack.nextcloud.writeFile('alice', 'files/busy.txt', '2');
      const last = await stack.nextcloud.writeFile('alice', 'files/busy.txt', '3');
      const trailing = await nextNotification(socket, 2_000);
      const after = Date.now() - writing;
      assert.ok(after >= 950, `the trailing notification came ${after} ms after the first write`);
      assert.deepEqual(
        [trailing.type, trailing.object, trailing.state],
        ['Update', url('busy.txt'), `"${last.etag}"`],
      );
      await socket.nothingWithin(1_300);
      socket.close();
    });
  });

  describe('accept', () => {
    it('writes notifications as Turtle when the channel accepts text/turtle', async () => {
      const { channel, socket } = await aliceListens({
        topic: url('turtle.txt'),
        accept: 'text/turtle',
      });
      assert.equal(channel.accept, 'text/turtle');
      await stack.nextcloud.writeFile('alice', 'files/turtle.txt', 'x');
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/turtle.txt', 'y');
      assert.match(await socket.next(), /a as:Create/);
      const quads = new Parser({ format: 'text/turtle' }).parse(await socket.next());
      const [subject] = quads.filter((q) => q.predicate.value === RDF_TYPE).map((q) => q.subject);
      const about = (predicate: string) =>
        quads
          .filter((q) => q.subject.value === subject?.value && q.predicate.value === predicate)
          .map((q) => q.object.value);
      assert.match(String(subject?.value), /^urn:uuid:/);
      assert.deepEqual(about(RDF_TYPE), [`${AS}Update`]);
      assert.deepEqual(about(`${AS}object`), [url('turtle.txt')]);
      assert.deepEqual(about('http://www.w3.org/ns/solid/notifications#state'), [`"${etag}"`]);
      socket.close();
    });

    it('refuses at subscribe time an accept that allows neither JSON-LD nor Turtle', async () => {
      for (const accept of ['image/png', 'text/html, application/json']) {
        const { response, json } = await subscribe(
          stack.base,
          { topic: url('any.txt'), accept },
          alice,
        );
        assert.equal(response.status, 422, accept);
        assert.equal(json?.code, 'GW_SOLID_INVALID_CHANNEL');
        assert.match(String(json?.message), /accept .*application\/ld\+json.*text\/turtle/);
      }
    });
  });

  describe('the protocol context', () => {
    it('takes the official context and compact type, and answers and notifies in it', async () => {
      const response = await fetch(`${stack.base}.notifications/WebSocketChannel2023/`, {
        method: 'POST',
        headers: { 'content-type': 'application/ld+json', ...alice },
        body: JSON.stringify({
          '@context': [CONTEXT],
          type: 'WebSocketChannel2023',
          topic: url('compact.txt'),
        }),
      });
      assert.equal(response.status, 200);
      const channel = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(channel['@context'], [CONTEXT]);
      assert.equal(channel.type, 'WebSocketChannel2023');
      assert.equal(channel.topic, url('compact.txt'));
      const socket = await TestWebSocket.open(String(channel.receiveFrom));
      await stack.nextcloud.writeFile('alice', 'files/compact.txt', 'x');
      const notification = await nextNotification(socket);
      assert.deepEqual(notification['@context'], [AS_CONTEXT, CONTEXT]);
      assert.equal(notification.type, 'Create');
      socket.close();
    });
  });

  describe('spellings', () => {
    it('takes every spelling of the channel type', async () => {
      for (const type of [
        'notify:WebSocketChannel2023',
        'http://www.w3.org/ns/solid/notifications#WebSocketChannel2023',
        'http://www.w3.org/ns/solid/notification#WebSocketChannel2023',
      ]) {
        const response = await fetch(`${stack.base}.notifications/WebSocketChannel2023/`, {
          method: 'POST',
          headers: { 'content-type': 'application/ld+json', ...alice },
          body: JSON.stringify({ '@context': [CONTEXT], type, topic: url('any.txt') }),
        });
        assert.equal(response.status, 200, `${type}: ${await response.text()}`);
      }
    });

    it('answers and notifies with the canonical URL of a topic, however it was spelt', async () => {
      await stack.nextcloud.mkdir('alice', 'files/My Docs');
      const canonical = url('My%20Docs/r%C3%A9sum%C3%A9.txt');
      const spellings = [
        url('My%20Docs/r%c3%a9sum%c3%a9.txt'),
        url('My%20Docs/résumé.txt'),
        url('My%20Docs/re%CC%81sume%CC%81.txt'),
        canonical.replace('http://', 'HTTP://'),
      ];
      const receivers = [];
      for (const topic of spellings) {
        const { channel, socket } = await aliceListens({ topic });
        assert.equal(channel.topic, canonical, topic);
        receivers.push(socket);
      }
      await stack.nextcloud.writeFile('alice', 'files/My Docs/résumé.txt', 'x');
      for (const socket of receivers) {
        const notification = await nextNotification(socket);
        assert.deepEqual([notification.type, notification.object], ['Create', canonical]);
        socket.close();
      }
    });
  });

  describe('receivers', () => {
    it('delivers every notification to each socket of a channel', async () => {
      const { channel, socket } = await aliceListens({ topic: url('many.txt') });
      const others = await Promise.all(
        [1, 2].map(() => TestWebSocket.open(String(channel.receiveFrom))),
      );
      await stack.nextcloud.writeFile('alice', 'files/many.txt', 'x');
      await stack.nextcloud.writeFile('alice', 'files/many.txt', 'y');
      const received = await Promise.all(
        [socket, ...others].map(async (receiver) => [
          await nextNotification(receiver),
          await nextNotification(receiver),
        ]),
      );
      for (const notifications of received) {
        assert.deepEqual(
          notifications.map((n) => n.type),
          ['Create', 'Update'],
        );
        assert.deepEqual(notifications, received[0]);
      }
      for (const receiver of [socket, ...others]) receiver.close();
    });

    it('refuses a seventeenth socket on one channel with 4429', async () => {
      const { channel, socket } = await aliceListens({ topic: url('crowded.txt') });
      const receiveFrom = String(channel.receiveFrom);
      const others = await Promise.all(
        Array.from({ length: 15 }, () => TestWebSocket.open(receiveFrom)),
      );
      const extra = new TestWebSocket(receiveFrom);
      assert.equal(await extra.closed, 4429);
      await stack.nextcloud.writeFile('alice', 'files/crowded.txt', 'x');
      for (const receiver of [socket, ...others]) {
        assert.equal((await nextNotification(receiver)).type, 'Create');
        receiver.close();
      }
    });

    it('tells a share recipient about changes at the URL of the recipient', async () => {
      await stack.nextcloud.mkdir('alice', 'files/team');
      const v1 = await stack.nextcloud.writeFile('alice', 'files/team/plan.txt', 'v1');
      await stack.nextcloud.share('alice', 'files/team', 'bob');
      const bobsUrl = url('team/plan.txt', 'bob');
      const { channel, socket } = await listen(stack, 'bob', 'bob-pw', {
        topic: bobsUrl,
        state: '"outdated"',
      });
      assert.equal(channel.topic, bobsUrl);
      const current = await nextNotification(socket);
      assert.deepEqual(
        [current.type, current.object, current.state],
        ['Update', bobsUrl, `"${v1.etag}"`],
      );
      const v2 = await stack.nextcloud.writeFile('alice', 'files/team/plan.txt', 'v2');
      const updated = await nextNotification(socket);
      assert.deepEqual(
        [updated.type, updated.object, updated.state],
        ['Update', bobsUrl, `"${v2.etag}"`],
      );
      await stack.nextcloud.delete('alice', 'files/team/plan.txt');
      const deleted = await nextNotification(socket);
      assert.deepEqual([deleted.type, deleted.object], ['Delete', bobsUrl]);
      socket.close();
    });

    it('pings sockets and drops one that stops answering', async () => {
      const { channel, socket } = await aliceListens({ topic: url('pinged.txt') });
      let pings = 0;
      socket.socket.on('ping', () => pings++);
      await until(() => pings >= 2, 'two pings', 10 * PING_MS);
      const silent = await TestWebSocket.open(String(channel.receiveFrom), { autoPong: false });
      assert.equal(await silent.closed, 1006);
      assert.equal(socket.socket.readyState, socket.socket.OPEN);
      socket.close();
    });
  });

  describe('moves and deletes', () => {
    it('sends Delete to a moved file, Create to its new name', async () => {
      await stack.nextcloud.writeFile('alice', 'files/old-name.txt', 'x');
      const moved = await aliceListens({ topic: url('old-name.txt') });
      const renamed = await aliceListens({ topic: url('new-name.txt') });
      await stack.nextcloud.move('alice', 'files/old-name.txt', 'files/new-name.txt');
      const deleted = await nextNotification(moved.socket);
      assert.deepEqual([deleted.type, deleted.object], ['Delete', url('old-name.txt')]);
      const created = await nextNotification(renamed.socket);
      assert.deepEqual([created.type, created.object], ['Create', url('new-name.txt')]);
      await moved.socket.nothingWithin(200);
      moved.socket.close();
      renamed.socket.close();
    });

    it('sends Remove to the folder a file left and Add to the folder it entered', async () => {
      await stack.nextcloud.mkdir('alice', 'files/outbox');
      await stack.nextcloud.mkdir('alice', 'files/inbox');
      await stack.nextcloud.writeFile('alice', 'files/outbox/letter.txt', 'x');
      const source = await aliceListens({ topic: url('outbox/') });
      const destination = await aliceListens({ topic: url('inbox/') });
      await stack.nextcloud.move('alice', 'files/outbox/letter.txt', 'files/inbox/letter.txt');
      const removed = await nextNotification(source.socket);
      assert.deepEqual(
        [removed.type, removed.object, removed.target],
        ['Remove', url('outbox/letter.txt'), url('outbox/')],
      );
      const added = await nextNotification(destination.socket);
      assert.deepEqual(
        [added.type, added.object, added.target],
        ['Add', url('inbox/letter.txt'), url('inbox/')],
      );
      await source.socket.nothingWithin(200);
      await destination.socket.nothingWithin(0);
      source.socket.close();
      destination.socket.close();
    });

    it('recognises deletes and moves of files that changed before anyone subscribed', async () => {
      await stack.nextcloud.mkdir('dave', 'files/old');
      await stack.nextcloud.writeFile('dave', 'files/old/kept.txt', 'x');
      await stack.nextcloud.writeFile('dave', 'files/old/moved.txt', 'x');
      const dave = (path: string) => url(path, 'dave');
      const folder = await listen(stack, 'dave', 'dave-pw', { topic: dave('old/') });
      await stack.nextcloud.delete('dave', 'files/old/kept.txt');
      const removed = await nextNotification(folder.socket);
      assert.deepEqual(
        [removed.type, removed.object, removed.target],
        ['Remove', dave('old/kept.txt'), dave('old/')],
      );
      await stack.nextcloud.move('dave', 'files/old/moved.txt', 'files/moved.txt');
      const movedOut = await nextNotification(folder.socket);
      assert.deepEqual([movedOut.type, movedOut.object], ['Remove', dave('old/moved.txt')]);
      await folder.socket.nothingWithin(200);
      folder.socket.close();
    });

    it('sends Delete to the channels of files in a folder that moved', async () => {
      await stack.nextcloud.mkdir('alice', 'files/drawer');
      await stack.nextcloud.writeFile('alice', 'files/drawer/sock.txt', 'x');
      const { socket } = await aliceListens({ topic: url('drawer/sock.txt') });
      await stack.nextcloud.move('alice', 'files/drawer', 'files/wardrobe');
      const notification = await nextNotification(socket);
      assert.deepEqual(
        [notification.type, notification.object],
        ['Delete', url('drawer/sock.txt')],
      );
      socket.close();
    });

    it('sends Delete to the channels of everything below a deleted folder', async () => {
      await stack.nextcloud.mkdir('alice', 'files/doomed');
      await stack.nextcloud.mkdir('alice', 'files/doomed/deep');
      await stack.nextcloud.writeFile('alice', 'files/doomed/a.txt', 'a');
      await stack.nextcloud.writeFile('alice', 'files/doomed/deep/b.txt', 'b');
      const topics = [url('doomed/a.txt'), url('doomed/deep/b.txt'), url('doomed/deep/')];
      const receivers = await Promise.all(topics.map((topic) => aliceListens({ topic })));
      await stack.nextcloud.delete('alice', 'files/doomed');
      for (const [i, { socket }] of receivers.entries()) {
        const notification = await nextNotification(socket);
        assert.deepEqual([notification.type, notification.object], ['Delete', topics[i]]);
        await socket.nothingWithin(100);
        socket.close();
      }
    });
  });
});
