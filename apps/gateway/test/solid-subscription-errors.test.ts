// Every way a Solid app can get a subscription wrong (reference/solid.md §1.3, §1.8, §1.9,
// §3.8), as the app sees it: the status, a JSON body with a code and a message that says what
// to do, and nothing stored. After each refusal the same user can still use the whole quota
// (so the refused request left no channel behind), and another user's receiver is still served.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TestWebSocket } from '@gw/testkit';
import { Parser } from 'n3';
import {
  basic,
  CONTEXT,
  davUrl,
  listen,
  NOTIFY,
  nextNotification,
  startSolidStack,
} from './solid-client.js';
import type { Stack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: 'bob-pw' },
];
/** SOLID_CHANNEL_QUOTA of the stack. */
const QUOTA = 2;
const alice = { authorization: basic('alice', 'alice-pw') };
const bob = { authorization: basic('bob', 'bob-pw') };
const JSON_LD = { 'content-type': 'application/ld+json' };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json')
    ? (JSON.parse(text) as Record<string, unknown>)
    : undefined;
  return { status: response.status, headers: response.headers, text, json };
}

/** The refusal the app gets: status, code, and a message matching `message`. */
function assertRefused(result: Answer, status: number, code: string, message: RegExp): void {
  assert.equal(result.status, status, result.text);
  assert.match(result.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(result.json?.statusCode, status);
  assert.equal(result.json?.code, code);
  assert.match(String(result.json?.message), message);
}

describe('Solid subscription errors', () => {
  let stack: Stack & { base: string };
  let bobsReceiver: TestWebSocket;
  let beat = 0;
  const service = () => `${stack.base}.notifications/WebSocketChannel2023/`;
  const topic = (path = 'watched.txt', uid = 'alice') => davUrl(stack, uid, path);
  /** A valid request in the protocol's context, with `extra` merged in. */
  const channel = (extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      '@context': [CONTEXT],
      type: 'WebSocketChannel2023',
      topic: topic(),
      ...extra,
    });
  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    answer(await fetch(service(), { method: 'POST', headers: { ...alice, ...headers }, body }));
  const postJson = (body: string, headers: Record<string, string> = {}) =>
    post(body, { ...JSON_LD, ...headers });
  const remove = async (id: string, headers: Record<string, string> = alice) =>
    answer(await fetch(id, { method: 'DELETE', headers }));

  /**
   * What must hold after any refusal: alice can create exactly her quota of channels (so the
   * refused request stored none), and bob's open socket still gets his notifications.
   */
  async function stillWorks(): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < QUOTA; i++) {
      const created = await postJson(channel());
      assert.equal(created.status, 200, created.text);
      ids.push(String(created.json?.id));
    }
    assertRefused(await postJson(channel()), 403, 'GW_SOLID_QUOTA', /live channels/);
    for (const id of ids) assert.equal((await remove(id)).status, 205);
    beat++;
    const { etag } = await stack.nextcloud.writeFile('bob', 'files/heartbeat.txt', `${beat}`);
    assert.equal((await nextNotification(bobsReceiver)).state, `"${etag}"`);
  }

  before(async () => {
    stack = await startSolidStack({ users, env: { SOLID_CHANNEL_QUOTA: String(QUOTA) } });
    const bobs = await listen(stack, 'bob', 'bob-pw', {
      topic: davUrl(stack, 'bob', 'heartbeat.txt'),
    });
    bobsReceiver = bobs.socket;
  });
  after(async () => {
    bobsReceiver.close();
    await stack.close();
  });

  describe('the body', () => {
    it('answers 400 to malformed JSON, saying where', async () => {
      const result = await postJson('{"type": "WebSocketChannel2023", "topic": }');
      assertRefused(result, 400, 'GW_SOLID_UNPARSABLE', /JSON/);
      await stillWorks();
    });

    it('answers 400 to a Turtle syntax error', async () => {
      const result = await post(`<${topic()}> a notify:WebSocketChannel2023 .`, {
        'content-type': 'text/turtle',
      });
      assertRefused(result, 400, 'GW_SOLID_UNPARSABLE', /not valid Turtle.*@prefix notify:/);
      await stillWorks();
    });

    it('answers 415 to text/plain and to a body without Content-Type', async () => {
      const plain = await post(channel(), { 'content-type': 'text/plain' });
      assertRefused(plain, 415, 'GW_SOLID_MEDIA_TYPE', /text\/plain.*application\/ld\+json/);
      // A byte body: fetch sets no Content-Type.
      const untyped = await post(Buffer.from(channel()));
      assertRefused(untyped, 415, 'GW_SOLID_MEDIA_TYPE', /no Content-Type.*application\/ld\+json/);
      await stillWorks();
    });

    it('answers 415 to an unknown JSON-LD profile', async () => {
      const result = await post(channel(), {
        'content-type': 'application/ld+json; profile="https://example.org/my-profile"',
      });
      assertRefused(
        result,
        415,
        'GW_SOLID_MEDIA_TYPE',
        /profile https:\/\/example\.org\/my-profile/,
      );
      await stillWorks();
    });

    it('answers 413 to a body over the limit', async () => {
      const result = await postJson(channel({ padding: 'x'.repeat(20 * 1024) }));
      assertRefused(result, 413, 'FST_ERR_CTP_BODY_TOO_LARGE', /too large/);
      await stillWorks();
    });
  });

  describe('the JSON-LD', () => {
    it('answers 422 to an unknown @context, and never fetches it', async () => {
      const fetched: string[] = [];
      const server = http.createServer((req, res) => {
        fetched.push(req.url ?? '');
        res.writeHead(200, { 'content-type': 'application/ld+json' }).end('{"@context": {}}');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const context = `http://127.0.0.1:${(server.address() as AddressInfo).port}/context.jsonld`;
      try {
        const result = await postJson(channel({ '@context': [context] }));
        assertRefused(
          result,
          422,
          'GW_SOLID_JSON_LD',
          /unrecognised JSON-LD context.*never fetches/,
        );
        assert.match(String(result.json?.message), new RegExp(context.replaceAll('.', '\\.')));
        assert.deepEqual(fetched, []);
      } finally {
        server.close();
      }
      await stillWorks();
    });

    it('answers 422 to a channel type it has no service for', async () => {
      const unknown = await postJson(channel({ type: 'CarrierPigeonChannel2023' }));
      assertRefused(unknown, 422, 'GW_SOLID_INVALID_CHANNEL', /WebSocketChannel2023/);
      const streaming = await postJson(channel({ type: 'StreamingHTTPChannel2023' }));
      assertRefused(
        streaming,
        422,
        'GW_SOLID_INVALID_CHANNEL',
        /no subscription service for StreamingHTTPChannel2023/,
      );
      const webhook = await postJson(channel({ type: 'WebhookChannel2023' }));
      assertRefused(webhook, 422, 'GW_SOLID_INVALID_CHANNEL', /for WebSocketChannel2023/);
      const untyped = await postJson(JSON.stringify({ '@context': [CONTEXT], topic: topic() }));
      assertRefused(untyped, 422, 'GW_SOLID_INVALID_CHANNEL', /no type/);
      await stillWorks();
    });

    it('answers 422 to a channel without a topic, or with two', async () => {
      const none = await postJson(
        JSON.stringify({ '@context': [CONTEXT], type: 'WebSocketChannel2023' }),
      );
      assertRefused(none, 422, 'GW_SOLID_INVALID_CHANNEL', /no topic/);
      const two = await postJson(channel({ topic: [topic('a.txt'), topic('b.txt')] }));
      assertRefused(two, 422, 'GW_SOLID_INVALID_CHANNEL', /2 topics.*one resource/);
      await stillWorks();
    });

    it('answers 422 to a topic that is not a file or folder of this Nextcloud', async () => {
      for (const elsewhere of [
        'https://other.example/remote.php/dav/files/alice/watched.txt',
        `${stack.nextcloud.url}remote.php/dav/calendars/alice/personal/`,
        `${stack.nextcloud.url}index.php/apps/files/`,
        'urn:x:alice',
      ]) {
        const result = await postJson(channel({ topic: elsewhere }));
        assert.equal(result.status, 422, `${elsewhere}: ${result.text}`);
        assert.match(String(result.json?.code), /^GW_SOLID_INVALID_(TOPIC|CHANNEL)$/);
        assert.match(String(result.json?.message), /topic/);
      }
      await stillWorks();
    });

    it('answers 422 to a bad endAt, startAt or rate', async () => {
      const endAt = await postJson(channel({ endAt: 'tomorrow' }));
      assertRefused(endAt, 422, 'GW_SOLID_INVALID_CHANNEL', /endAt must be an xsd:dateTime/);
      const rate = await postJson(channel({ rate: 'ten seconds' }));
      assertRefused(rate, 422, 'GW_SOLID_INVALID_CHANNEL', /rate must be an xsd:duration/);
      const zero = await postJson(channel({ rate: 'PT0S' }));
      assertRefused(zero, 422, 'GW_SOLID_INVALID_CHANNEL', /longer than zero/);
      // A month has no fixed length.
      const month = await postJson(channel({ rate: 'P1M' }));
      assertRefused(month, 422, 'GW_SOLID_INVALID_CHANNEL', /rate must be an xsd:duration/);
      const backwards = await postJson(
        channel({ startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-01T00:00:00Z' }),
      );
      assertRefused(backwards, 422, 'GW_SOLID_INVALID_CHANNEL', /startAt is after endAt/);
      await stillWorks();
    });

    it('answers 422 to sendTo on the WebSocket service', async () => {
      const result = await postJson(channel({ sendTo: 'https://app.example/inbox' }));
      assertRefused(
        result,
        422,
        'GW_SOLID_INVALID_CHANNEL',
        /sendTo belongs to WebhookChannel2023/,
      );
      await stillWorks();
    });
  });

  describe('negotiation and limits', () => {
    it('answers 406 to an Accept it cannot write, storing nothing', async () => {
      const result = await postJson(channel(), { accept: 'image/png' });
      assertRefused(result, 406, 'GW_SOLID_NOT_ACCEPTABLE', /application\/ld\+json.*text\/turtle/);
      await stillWorks();
    });

    it('answers 403 over the quota, and takes a new channel once one is deleted', async () => {
      const first = await postJson(channel());
      const second = await postJson(channel());
      assert.deepEqual([first.status, second.status], [200, 200]);
      assertRefused(
        await postJson(channel()),
        403,
        'GW_SOLID_QUOTA',
        new RegExp(`${QUOTA} live channels.*delete one or let one expire`),
      );
      assert.equal((await remove(String(first.json?.id))).status, 205);
      const third = await postJson(channel());
      assert.equal(third.status, 200, third.text);
      for (const id of [second.json?.id, third.json?.id]) {
        assert.equal((await remove(String(id))).status, 205);
      }
      await stillWorks();
    });
  });

  describe('unsubscribing', () => {
    it('answers 404 to an unknown channel id and to a malformed one', async () => {
      const unknown = await remove(`${service()}00000000-0000-4000-8000-000000000000`);
      assertRefused(unknown, 404, 'GW_SOLID_UNKNOWN_CHANNEL', /no live channel/);
      const malformed = await remove(`${service()}not-a-channel`);
      assertRefused(malformed, 404, 'GW_SOLID_UNKNOWN_CHANNEL', /no live channel/);
      await stillWorks();
    });

    it("answers 403 to another user's DELETE and 401 to an anonymous one, keeping the channel", async () => {
      const { channel: created, socket } = await listen(stack, 'alice', 'alice-pw', {
        topic: topic('kept.txt'),
      });
      const id = String(created.id);
      assertRefused(
        await remove(id, bob),
        403,
        'GW_SOLID_FORBIDDEN',
        /only the user who subscribed/,
      );
      // From a browser app: the challenge must be readable across origins.
      const anonymous = await remove(id, { origin: 'https://app.example' });
      assertRefused(anonymous, 401, 'GW_SOLID_INVALID_REQUEST', /authenticate/);
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /Basic realm="Nextcloud"/);
      assert.equal(anonymous.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.match(
        anonymous.headers.get('access-control-expose-headers') ?? '',
        /WWW-Authenticate/i,
      );
      const { etag } = await stack.nextcloud.writeFile('alice', 'files/kept.txt', 'x');
      assert.equal((await nextNotification(socket)).state, `"${etag}"`);
      assert.equal((await remove(id)).status, 205);
      assert.equal(await socket.next(), 'Notification channel was deleted');
      await stillWorks();
    });
  });

  describe('the service resource', () => {
    it('answers 405 with Allow to PUT', async () => {
      const response = await fetch(service(), {
        method: 'PUT',
        headers: { ...alice, ...JSON_LD },
        body: channel(),
      });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS, POST');
      await stillWorks();
    });

    it('answers CORS preflights with 204, allowing Authorization and DPoP', async () => {
      const channelUrl = `${service()}00000000-0000-4000-8000-000000000000`;
      for (const [url, method] of [
        [service(), 'POST'],
        [channelUrl, 'DELETE'],
      ] as const) {
        const response = await fetch(url, {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example',
            'access-control-request-method': method,
            'access-control-request-headers': 'authorization, dpop, content-type',
          },
        });
        assert.equal(response.status, 204, url);
        assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example');
        const methods = (response.headers.get('access-control-allow-methods') ?? '').split(/, */);
        assert.ok(methods.includes(method), `${method} in ${methods}`);
        const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
        for (const header of ['authorization', 'dpop', 'content-type']) {
          assert.ok(allowed.split(/, */).includes(header), header);
        }
      }
    });

    it('describes itself to GET and HEAD, as JSON-LD or Turtle', async () => {
      const response = await fetch(service());
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^application\/ld\+json/);
      assert.match(response.headers.get('accept-post') ?? '', /application\/ld\+json/);
      assert.deepEqual(await response.json(), {
        '@context': [CONTEXT],
        id: service(),
        channelType: 'WebSocketChannel2023',
        feature: ['accept', 'endAt', 'rate', 'startAt', 'state'],
      });
      const head = await fetch(service(), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^application\/ld\+json/);
      assert.equal(await head.text(), '');
      const turtle = await fetch(service(), { headers: { accept: 'text/turtle' } });
      const quads = new Parser({ baseIRI: service() }).parse(await turtle.text());
      const values = (predicate: string) =>
        quads.filter((q) => q.predicate.value === predicate).map((q) => q.object.value);
      assert.deepEqual(values(`${NOTIFY}channelType`), [`${NOTIFY}WebSocketChannel2023`]);
      assert.deepEqual(
        values(`${NOTIFY}feature`).sort(),
        ['accept', 'endAt', 'rate', 'startAt', 'state'].map((f) => `${NOTIFY}${f}`),
      );
    });
  });

  describe('receivers', () => {
    it('sends an error line and closes with 4404 on a socket URL with an unknown token', async () => {
      const url = `${service().replace(/^http/, 'ws')}socket/no-such-token`;
      const socket = new TestWebSocket(url);
      assert.equal(
        await socket.next(),
        `There was an error opening this WebSocket: Unknown or expired WebSocket channel ${url}`,
      );
      assert.equal(await socket.closed, 4404);
      await stillWorks();
    });
  });
});
