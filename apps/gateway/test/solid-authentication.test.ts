// How a Solid app authenticates its subscriptions, for real through the gateway: Solid-OIDC
// DPoP-bound tokens from a loopback issuer (reference/solid.md §3.6, §3.9 item 10), and HTTP
// Basic with Nextcloud passwords or app passwords, checked by the simulated Nextcloud.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  accessToken,
  dpopProof,
  type FakeIssuer,
  startIssuer,
  type TestKey,
  TestWebSocket,
  type TokenOptions,
  testKey,
} from '@gw/testkit';
import { basic, CONTEXT, davUrl, nextNotification, startSolidStack } from './solid-client.js';
import type { Stack } from './stack.js';

const users = [
  { uid: 'alice', password: 'alice-pw', appPasswords: ['alice-app-password'] },
  { uid: 'bob', password: 'bob-pw' },
  { uid: 'carol', password: 'carol-pw' },
];
const UID_ENDPOINT = '/index.php/apps/notify_push/uid';

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

describe('Solid subscriptions, authenticated', () => {
  let issuer: FakeIssuer;
  let untrusted: FakeIssuer;
  let issuerKey: TestKey;
  let clientKey: TestKey;
  let stack: Stack & { base: string };
  const service = () => `${stack.base}.notifications/WebSocketChannel2023/`;
  const webId = (uid: string, at = issuer) => `${at.url}/${uid}/profile/card#me`;
  const channel = (topic: string) =>
    JSON.stringify({ '@context': [CONTEXT], type: 'WebSocketChannel2023', topic });

  /** A token of `at` for `uid`'s WebID, bound to the client's key. */
  const token = (uid: string, claims: TokenOptions['claims'] = {}, at = issuer) =>
    accessToken(at.url, {
      key: issuerKey,
      dpopKey: clientKey,
      claims: { webid: webId(uid, at), sub: webId(uid, at), ...claims },
    });
  const proof = (method: string, url: string, forToken: string) =>
    dpopProof(clientKey, { htm: method, htu: url, accessToken: forToken });
  const dpop = (forToken: string, proofJwt: string) => ({
    authorization: `DPoP ${forToken}`,
    dpop: proofJwt,
  });

  async function send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/ld+json', ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  }
  /** POSTs a subscription to `topic` with a fresh proof for the service URL. */
  async function subscribeWith(forToken: string, topic: string): Promise<Answer> {
    const headers = dpop(forToken, await proof('POST', service(), forToken));
    return send('POST', service(), headers, channel(topic));
  }

  before(async () => {
    [issuerKey, clientKey] = await Promise.all([testKey('ES256'), testKey('ES256')]);
    [issuer, untrusted] = await Promise.all([startIssuer([issuerKey]), startIssuer([issuerKey])]);
    stack = await startSolidStack({
      users,
      env: {
        SOLID_OIDC_ISSUERS: issuer.url,
        SOLID_WEBID_TEMPLATES: `${issuer.url}/{uid}/profile/card#me`,
      },
    });
  });
  after(async () => {
    await stack.close();
    await Promise.all([issuer.close(), untrusted.close()]);
  });

  describe('Solid-OIDC with DPoP', () => {
    it("subscribes with a DPoP-bound token for the user's WebID", async () => {
      const topic = davUrl(stack, 'alice', 'oidc.txt');
      const result = await subscribeWith(await token('alice'), topic);
      assert.equal(result.status, 200, JSON.stringify(result.json));
      assert.equal(result.json.topic, topic);
      const socket = await TestWebSocket.open(String(result.json.receiveFrom));
      await stack.nextcloud.writeFile('alice', 'files/oidc.txt', 'x');
      assert.equal((await nextNotification(socket)).object, topic);
      socket.close();
    });

    it('refuses a replayed DPoP proof with 401', async () => {
      const forToken = await token('alice');
      const headers = dpop(forToken, await proof('POST', service(), forToken));
      const body = channel(davUrl(stack, 'alice', 'replayed.txt'));
      assert.equal((await send('POST', service(), headers, body)).status, 200);
      const replay = await send('POST', service(), headers, body);
      assert.equal(replay.status, 401);
      assert.equal(replay.json.code, 'GW_SOLID_INVALID_DPOP_PROOF');
      assert.match(String(replay.json.message), /already used/);
      assert.match(
        replay.headers.get('www-authenticate') ?? '',
        /DPoP .*error="invalid_dpop_proof"/,
      );
    });

    it('refuses a proof made for another URL or method with 401', async () => {
      const forToken = await token('alice');
      const body = channel(davUrl(stack, 'alice', 'elsewhere.txt'));
      for (const [method, url] of [
        ['POST', `${stack.base}.well-known/solid`],
        ['GET', service()],
      ] as const) {
        const headers = dpop(forToken, await proof(method, url, forToken));
        const result = await send('POST', service(), headers, body);
        assert.equal(result.status, 401, `${method} ${url}`);
        assert.equal(result.json.code, 'GW_SOLID_INVALID_DPOP_PROOF');
      }
    });

    it('refuses a token of an untrusted issuer with 401 invalid_token, never contacting it', async () => {
      const result = await subscribeWith(
        await token('alice', {}, untrusted),
        davUrl(stack, 'alice', 'x.txt'),
      );
      assert.equal(result.status, 401);
      assert.equal(result.json.code, 'GW_SOLID_INVALID_TOKEN');
      assert.match(String(result.json.message), /not trusted/);
      assert.match(
        result.headers.get('www-authenticate') ?? '',
        /^DPoP algs="[^"]+", error="invalid_token", Basic realm="Nextcloud"/,
      );
      assert.deepEqual(untrusted.requests, []);
    });

    it('refuses an expired token with 401', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await token('alice', { iat: now - 7_200, exp: now - 3_600 });
      const result = await subscribeWith(expired, davUrl(stack, 'alice', 'x.txt'));
      assert.equal(result.status, 401);
      assert.equal(result.json.code, 'GW_SOLID_INVALID_TOKEN');
      assert.match(String(result.json.message), /expired/);
      assert.match(result.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    });

    it('answers 403 to a WebID that is no user of this Nextcloud', async () => {
      const stranger = `https://elsewhere.example/people/alice#me`;
      const forToken = await token('alice', { webid: stranger, sub: stranger });
      const result = await subscribeWith(forToken, davUrl(stack, 'alice', 'x.txt'));
      assert.equal(result.status, 403);
      assert.equal(result.json.code, 'GW_SOLID_FORBIDDEN');
      assert.match(String(result.json.message), /elsewhere\.example.*not a user/);
    });

    it("answers 403 to alice's token for bob's file", async () => {
      const result = await subscribeWith(await token('alice'), davUrl(stack, 'bob', 'x.txt'));
      assert.equal(result.status, 403);
      assert.equal(result.json.code, 'GW_SOLID_FORBIDDEN');
      assert.match(String(result.json.message), /files\/alice\//);
    });

    it('unsubscribes with a proof for the DELETE of the channel', async () => {
      const forToken = await token('alice');
      const created = await subscribeWith(forToken, davUrl(stack, 'alice', 'gone.txt'));
      const id = String(created.json.id);
      const socket = await TestWebSocket.open(String(created.json.receiveFrom));
      const wrongMethod = dpop(forToken, await proof('POST', id, forToken));
      assert.equal((await send('DELETE', id, wrongMethod)).status, 401);
      const result = await send('DELETE', id, dpop(forToken, await proof('DELETE', id, forToken)));
      assert.equal(result.status, 205);
      assert.equal(await socket.next(), 'Notification channel was deleted');
      assert.equal(await socket.closed, 4410);
    });
  });

  describe('Basic', () => {
    it('subscribes with an app password', async () => {
      const topic = davUrl(stack, 'alice', 'basic.txt');
      const ok = await send(
        'POST',
        service(),
        { authorization: basic('alice', 'alice-app-password') },
        channel(topic),
      );
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(ok.json.topic, topic);
      const wrong = await send(
        'POST',
        service(),
        { authorization: basic('alice', 'not-an-app-password') },
        channel(topic),
      );
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.code, 'GW_SOLID_INVALID_TOKEN');
      assert.match(wrong.headers.get('www-authenticate') ?? '', /Basic realm="Nextcloud"/);
    });

    it('asks Nextcloud once for two subscriptions within a minute', async () => {
      const uidCalls = () => stack.nextcloud.requests.filter((r) => r.path === UID_ENDPOINT).length;
      const before = uidCalls();
      for (const path of ['one.txt', 'two.txt']) {
        const result = await send(
          'POST',
          service(),
          { authorization: basic('carol', 'carol-pw') },
          channel(davUrl(stack, 'carol', path)),
        );
        assert.equal(result.status, 200, JSON.stringify(result.json));
      }
      assert.equal(uidCalls() - before, 1);
    });
  });
});
