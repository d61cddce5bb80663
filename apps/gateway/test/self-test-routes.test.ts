// The push server's self-test endpoints (reference/notify_push.md §6.1) against the real stack:
// upstream's status codes and bodies, under `/` and `/push/`, with the token guard on each.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type Stack, startStack } from './stack.js';

const PREFIXES = ['', '/push'];
const GUARDED: [method: string, path: string][] = [
  ['GET', '/test/cookie'],
  ['GET', '/test/reverse_cookie'],
  ['GET', '/test/mapping/1'],
  ['GET', '/test/remote/1.2.3.4'],
  ['POST', '/test/version'],
];

describe('self-test endpoints', () => {
  let stack: Stack;
  let redis: Redis;
  let token: string;
  let cookie: number;
  let homeStorage: number;

  const request = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.gateway.url}${path}`, { method, headers });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: await response.text(),
    };
  };
  const withToken = (method: string, path: string) => request(method, path, { token });

  before(async () => {
    stack = await startStack();
    ({ storage: homeStorage } = await stack.nextcloud.addUser({ uid: 'alice', password: 'pw' }));
    redis = new Redis(stack.redis.url);
  });
  after(async () => {
    redis.disconnect();
    await stack.close();
  });

  it('answers 500 with the Redis rejection while test-token is not set', async () => {
    const response = await request('GET', '/test/cookie', { token: 'anything' });
    assert.equal(response.status, 500);
    assert.match(response.body, /^Unhandled rejection: Redis\(/);
  });

  it('answers /test/cookie with 0 before any notify_test_cookie', async () => {
    await redis.set('test-token', 'early-token');
    const response = await request('GET', '/test/cookie', { token: 'early-token' });
    assert.deepEqual(response, { status: 200, type: 'text/plain; charset=utf-8', body: '0' });
  });

  it('answers /test/cookie with the cookie the app published, under / and /push/', async () => {
    ({ token, cookie } = await stack.nextcloud.prepareSelfTest());
    for (const prefix of PREFIXES) {
      let body = '';
      for (let i = 0; i < 100 && body !== String(cookie); i++) {
        body = (await withToken('GET', `${prefix}/test/cookie`)).body;
        await sleep(10);
      }
      assert.equal(body, String(cookie));
    }
  });

  it('answers 400 "Missing request header" on every route without a token', async () => {
    for (const prefix of PREFIXES) {
      for (const [method, path] of GUARDED) {
        const response = await request(method, `${prefix}${path}`);
        assert.equal(response.status, 400, `${method} ${prefix}${path}`);
        assert.equal(response.body, 'Missing request header "token"');
      }
    }
  });

  it('answers 500 "SelfTest(Token)" on every route with a wrong or empty token', async () => {
    for (const wrong of ['wrong', '', `${token}x`]) {
      for (const prefix of PREFIXES) {
        for (const [method, path] of GUARDED) {
          const response = await request(method, `${prefix}${path}`, { token: wrong });
          assert.equal(response.status, 500, `${method} ${prefix}${path}`);
          assert.equal(response.body, 'Unhandled rejection: SelfTest(Token)');
        }
      }
    }
    assert.equal(await redis.get('notify_push_version'), null, 'nothing was stored');
  });

  it('refuses every token while test-token is empty', async () => {
    await redis.set('test-token', '');
    const response = await request('GET', '/test/cookie', { token: '' });
    assert.equal(response.status, 500);
    assert.equal(response.body, 'Unhandled rejection: SelfTest(Token)');
    await redis.set('test-token', token);
  });

  it('answers /test/reverse_cookie with the cookie Nextcloud holds', async () => {
    for (const prefix of PREFIXES) {
      assert.equal((await withToken('GET', `${prefix}/test/reverse_cookie`)).body, String(cookie));
    }
  });

  it('answers /test/mapping/{id} with the number of root mounts of that storage', async () => {
    for (const prefix of PREFIXES) {
      assert.equal((await withToken('GET', `${prefix}/test/mapping/${homeStorage}`)).body, '1');
    }
    assert.equal((await withToken('GET', '/test/mapping/4294967295')).body, '0');
  });

  it('answers /test/remote/{ip} with the address Nextcloud resolved', async () => {
    for (const prefix of PREFIXES) {
      const response = await withToken('GET', `${prefix}/test/remote/1.2.3.4`);
      assert.deepEqual(response, {
        status: 200,
        type: 'text/plain; charset=utf-8',
        body: '1.2.3.4',
      });
    }
    assert.equal((await withToken('GET', '/test/remote/2001:db8::1')).body, '2001:db8::1');
    const sent = stack.nextcloud.requests.findLast((r) => r.path.endsWith('/test/remote'));
    assert.equal(sent?.forwardedFor, '2001:db8::1', 'only the given address is forwarded');
  });

  it('stores notify_push_version on POST /test/version and answers "set"', async () => {
    for (const prefix of PREFIXES) {
      await redis.del('notify_push_version');
      assert.equal((await withToken('POST', `${prefix}/test/version`)).body, 'set');
      assert.equal(await redis.get('notify_push_version'), '1.4.0');
    }
  });

  it('answers 405 to /test/version with another method', async () => {
    const response = await withToken('GET', '/test/version');
    assert.equal(response.status, 405);
  });

  it('answers 404 to a storage id that is not a u32 and to an address that is not an IP', async () => {
    const paths = [
      '/test/mapping/abc',
      '/test/mapping/-1',
      '/test/mapping/4294967296',
      '/test/remote/not-an-ip',
      '/test/remote/1.2.3',
      '/push/test/mapping/abc',
      '/push/test/remote/not-an-ip',
    ];
    for (const path of paths) {
      assert.equal((await withToken('GET', path)).status, 404, path);
      assert.equal((await request('GET', path)).status, 404, `${path} without token`);
    }
  });
});

describe('self-test endpoints with Nextcloud unreachable', () => {
  let stack: Stack;
  let redis: Redis;

  before(async () => {
    stack = await startStack({
      // Port 1: nothing listens there, and unlike a port found free a moment ago, nothing will.
      config: { nextcloudUrl: 'http://127.0.0.1:1/' },
      nextcloudTimeoutMs: 500,
    });
    redis = new Redis(stack.redis.url);
    await redis.set('test-token', 'token');
  });
  after(async () => {
    redis.disconnect();
    await stack.close();
  });

  it('answers the reverse checks with 200 and the connection error, for occ to print', async () => {
    for (const path of ['/test/reverse_cookie', '/push/test/remote/1.2.3.4']) {
      const response = await fetch(`${stack.gateway.url}${path}`, { headers: { token: 'token' } });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /ECONNREFUSED/);
    }
  });
});
