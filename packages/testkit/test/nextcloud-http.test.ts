import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { SimulatedNextcloud } from '../src/index.js';
import { type Harness, startHarness } from './harness.js';

const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe('HTTP endpoints of the simulated Nextcloud', () => {
  let harness: Harness;
  let url: string;

  before(async () => {
    harness = await startHarness({
      users: [
        {
          uid: 'alice',
          password: 'alice-pw',
          loginName: 'alice@example.com',
          appPasswords: ['app-token'],
        },
        { uid: 'bob', password: 'bob-pw' },
      ],
    });
    url = harness.nextcloud.url;
  });
  afterEach(() => {
    harness.nextcloud.authBehaviour = 'normal';
    harness.nextcloud.baseEndpoint = undefined;
  });
  after(() => harness.close());

  const uid = (authorization?: string, headers: Record<string, string> = {}) =>
    fetch(`${url}index.php/apps/notify_push/uid`, {
      headers: authorization === undefined ? headers : { authorization, ...headers },
      redirect: 'manual',
    });

  describe('GET /index.php/apps/notify_push/uid', () => {
    it('answers the uid as text/plain without a newline for the uid, login name or app password', async () => {
      for (const authorization of [
        basic('alice', 'alice-pw'),
        basic('ALICE', 'alice-pw'),
        basic('alice@example.com', 'alice-pw'),
        basic('alice@example.com', 'app-token'),
      ]) {
        const response = await uid(authorization);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
        assert.equal(await response.text(), 'alice');
      }
    });

    it('answers 401 to wrong, missing or mismatched credentials', async () => {
      for (const authorization of [
        basic('alice', 'wrong'),
        basic('nobody', 'alice-pw'),
        basic('bob', 'alice-pw'),
        basic('bob', 'app-token'),
        undefined,
      ]) {
        const response = await uid(authorization);
        assert.equal(response.status, 401, String(authorization));
        assert.deepEqual(await response.json(), { message: 'Current user is not logged in' });
      }
    });

    it('answers 400 to a malformed Authorization header', async () => {
      for (const authorization of [
        'Basic !!!',
        `Basic ${btoa('no-colon')}`,
        'Bearer abc',
        'Basic',
      ]) {
        const response = await uid(authorization);
        assert.equal(response.status, 400, authorization);
        await response.arrayBuffer();
      }
    });

    it('fails as told: 500, 403 or a redirect to the login page', async () => {
      const cases = [
        ['error500', 500],
        ['forbidden403', 403],
        ['redirect302', 302],
      ] as const;
      for (const [behaviour, status] of cases) {
        harness.nextcloud.authBehaviour = behaviour;
        const response = await uid(basic('alice', 'alice-pw'));
        assert.equal(response.status, status, behaviour);
        await response.arrayBuffer();
      }
      harness.nextcloud.authBehaviour = 'redirect302';
      const redirect = await uid(basic('alice', 'alice-pw'));
      assert.equal(redirect.headers.get('location'), `${url}index.php/login`);
    });

    it('never answers when hanging, and close() still ends the request', async () => {
      const other = await SimulatedNextcloud.start({
        database: { pool: harness.database.pool, prefix: harness.database.prefix },
        redis: harness.redis.url,
      });
      other.authBehaviour = 'hang';
      const pending = fetch(`${other.url}index.php/apps/notify_push/uid`, {
        headers: { authorization: basic('alice', 'alice-pw') },
      });
      const outcome = await Promise.race([
        pending.then(
          () => 'answered',
          () => 'failed',
        ),
        new Promise((resolve) => setTimeout(resolve, 200, 'pending')),
      ]);
      assert.equal(outcome, 'pending');
      await other.close();
      await assert.rejects(pending);
    });

    it('records what the caller sent', async () => {
      harness.nextcloud.requests.length = 0;
      await (
        await uid(basic('alice', 'alice-pw'), {
          'x-forwarded-for': '203.0.113.7, 127.0.0.1',
          'user-agent': 'notify-gateway-test',
        })
      ).text();
      await (await uid(basic('alice', 'alice-pw'))).text();
      assert.deepEqual(harness.nextcloud.requests, [
        {
          path: '/index.php/apps/notify_push/uid',
          forwardedFor: '203.0.113.7, 127.0.0.1',
          userAgent: 'notify-gateway-test',
        },
        { path: '/index.php/apps/notify_push/uid', forwardedFor: undefined, userAgent: 'node' },
      ]);
    });
  });

  describe('POST /index.php/apps/notify_push/pre_auth', () => {
    const preAuth = (authorization?: string) =>
      fetch(`${url}index.php/apps/notify_push/pre_auth`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
      });

    it('returns a 32-character token and publishes it for the user', async () => {
      await harness.drain();
      const response = await preAuth(basic('alice@example.com', 'app-token'));
      assert.equal(response.status, 200);
      const token = await response.text();
      assert.match(token, /^[A-Za-z0-9+/]{32}$/);
      const [published, ...rest] = await harness.drain();
      assert.deepEqual(rest, []);
      assert.equal(published?.channel, 'notify_pre_auth');
      assert.equal(
        published?.message,
        JSON.stringify({ user: 'alice', token }).replaceAll('/', '\\/'),
      );
    });

    it('answers 401 and publishes nothing without valid credentials', async () => {
      for (const authorization of [basic('alice', 'nope'), undefined]) {
        const response = await preAuth(authorization);
        assert.equal(response.status, 401);
        await response.arrayBuffer();
      }
      assert.deepEqual(await harness.drain(), []);
    });

    it('is POST only', async () => {
      const response = await fetch(`${url}index.php/apps/notify_push/pre_auth`, {
        headers: { authorization: basic('alice', 'alice-pw') },
      });
      assert.equal(response.status, 404);
      await response.arrayBuffer();
    });
  });

  describe('GET /ocs/v2.php/cloud/capabilities', () => {
    const capabilities = (authorization?: string, accept = 'application/json') =>
      fetch(`${url}ocs/v2.php/cloud/capabilities`, {
        headers: { 'ocs-apirequest': 'true', accept, ...(authorization ? { authorization } : {}) },
      });

    it('announces notify_push with ws/wss endpoints when base_endpoint is set', async () => {
      harness.nextcloud.baseEndpoint = 'https://cloud.example.com/push';
      const response = await capabilities(basic('bob', 'bob-pw'));
      assert.equal(response.status, 200);
      const body = (await response.json()) as {
        ocs: { meta: unknown; data: { capabilities: Record<string, unknown> } };
      };
      assert.deepEqual(body.ocs.meta, { status: 'ok', statuscode: 200, message: 'OK' });
      assert.deepEqual(body.ocs.data.capabilities.notify_push, {
        type: ['files', 'activities', 'notifications'],
        endpoints: {
          websocket: 'wss://cloud.example.com/push/ws',
          pre_auth: `${url}index.php/apps/notify_push/pre_auth`,
        },
      });
      harness.nextcloud.baseEndpoint = 'http://127.0.0.1:7867/push';
      const plain = (await (await capabilities(basic('bob', 'bob-pw'))).json()) as typeof body;
      assert.deepEqual(
        (plain.ocs.data.capabilities.notify_push as { endpoints: { websocket: string } }).endpoints
          .websocket,
        'ws://127.0.0.1:7867/push/ws',
      );
    });

    it('leaves notify_push out without base_endpoint or for anonymous callers', async () => {
      const unset = (await (await capabilities(basic('bob', 'bob-pw'))).json()) as {
        ocs: { data: { capabilities: Record<string, unknown> } };
      };
      assert.equal(unset.ocs.data.capabilities.notify_push, undefined);
      harness.nextcloud.baseEndpoint = 'https://cloud.example.com/push';
      for (const authorization of [undefined, basic('bob', 'wrong')]) {
        const anonymous = (await (await capabilities(authorization)).json()) as typeof unset;
        assert.equal(anonymous.ocs.data.capabilities.notify_push, undefined);
      }
    });

    it('answers XML unless JSON is asked for', async () => {
      harness.nextcloud.baseEndpoint = 'https://cloud.example.com/push';
      const response = await capabilities(basic('bob', 'bob-pw'), 'application/xml');
      assert.equal(response.headers.get('content-type'), 'application/xml; charset=utf-8');
      const xml = await response.text();
      assert.match(xml, /^<\?xml version="1.0"\?>\n<ocs>\n <meta>\n {2}<status>ok<\/status>/);
      assert.match(xml, /<websocket>wss:\/\/cloud.example.com\/push\/ws<\/websocket>/);
      assert.match(xml, /<type>\n {5}<element>files<\/element>/);
    });
  });

  describe('self-test endpoints', () => {
    const test = (name: string, headers: Record<string, string> = {}) =>
      fetch(`${url}index.php/apps/notify_push/test/${name}`, { headers });

    it('answer 403 to a missing or wrong token, and to any token before a self-test', async () => {
      await harness.client.del('test-token');
      for (const name of ['cookie', 'remote']) {
        const before = await test(name, { token: '' });
        assert.equal(before.status, 403);
        await before.arrayBuffer();
      }
      await harness.nextcloud.prepareSelfTest();
      for (const name of ['cookie', 'remote']) {
        for (const headers of [{}, { token: 'wrong' }] as Record<string, string>[]) {
          const response = await test(name, headers);
          assert.equal(response.status, 403, `${name} ${JSON.stringify(headers)}`);
          assert.equal(await response.text(), '');
        }
      }
      await harness.drain();
    });

    it('cookie answers the app config cookie as a JSON integer', async () => {
      const { token, cookie } = await harness.nextcloud.prepareSelfTest();
      const response = await test('cookie', { token });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.equal(await response.text(), String(cookie));
      await harness.drain();
    });

    it('remote resolves the last untrusted X-Forwarded-For hop and stores what it saw', async () => {
      const { token } = await harness.nextcloud.prepareSelfTest();
      const response = await test('remote', {
        token,
        'x-forwarded-for': '1.2.3.4, 198.51.100.9:8080, 127.0.0.1',
      });
      assert.equal(await response.text(), '198.51.100.9');
      assert.equal(
        await harness.client.get('notify_push_forwarded_header'),
        '1.2.3.4, 198.51.100.9:8080, 127.0.0.1',
      );
      assert.equal(await harness.client.get('notify_push_remote'), '127.0.0.1');
      const direct = await test('remote', { token });
      assert.equal(await direct.text(), '127.0.0.1');
      await harness.drain();
    });

    it('version stores the app version without a token', async () => {
      await harness.client.del('notify_push_app_version');
      const response = await test('version');
      assert.equal(response.status, 200);
      assert.equal(await response.text(), '');
      assert.equal(await harness.client.get('notify_push_app_version'), '1.4.0');
    });
  });

  it('answers 404 to everything else', async () => {
    for (const path of [
      '',
      'index.php/apps/notify_push/other',
      'apps/notify_push/uid',
      'status.php',
    ]) {
      const response = await fetch(`${url}${path}`, {
        headers: { authorization: basic('alice', 'alice-pw') },
      });
      assert.equal(response.status, 404, path);
      await response.arrayBuffer();
    }
  });
});
