// `occ notify_push:setup <url>` replayed step by step as the app's SelfTest.php runs it
// (reference/notify_push.md §6.5), with the simulated Nextcloud answering its side: every check
// must pass against the gateway.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type Stack, startStack } from './stack.js';

/** The installed app's version (appinfo/info.xml of notify_push 1.4.0). */
const APP_VERSION = '1.4.0';

describe("the Nextcloud app's self-test", () => {
  let stack: Stack;
  let redis: Redis;
  /** The push server URL as an admin gives it to `occ notify_push:setup`. */
  let server: string;
  let token: string;
  let cookie: number;

  const get = async (path: string, method = 'GET') => {
    const response = await fetch(`${server}${path}`, { method, headers: { token } });
    return response.text();
  };

  before(async () => {
    stack = await startStack({
      users: [
        { uid: 'alice', password: 'alice-pw' },
        { uid: 'bob', password: 'bob-pw' },
      ],
    });
    redis = new Redis(stack.redis.url);
    server = `${stack.gateway.url}/push`;
  });
  after(async () => {
    redis.disconnect();
    await stack.close();
  });

  it('step 3: sets test-token and publishes the cookie', async () => {
    ({ token, cookie } = await stack.nextcloud.prepareSelfTest());
    assert.equal(await redis.get('test-token'), token);
  });

  it('step 4: the push server is receiving redis messages', async () => {
    // PHP asks at once; Redis delivers within moments, so the replay allows a short while.
    let body = '';
    for (let i = 0; i < 100 && body !== String(cookie); i++) {
      body = await get('/test/cookie');
      if (body !== String(cookie)) await sleep(10);
    }
    assert.equal(body, String(cookie));
  });

  it('step 5: the push server can load mount info from the database', async () => {
    const { pool, prefix } = stack.database;
    const { rows } = await pool.query<{ storage_id: number; count: string }>(
      `SELECT storage_id, COUNT(*) FROM ${prefix}mounts m JOIN ${prefix}filecache f ON root_id = fileid WHERE path_hash = md5('') GROUP BY storage_id LIMIT 1`,
    );
    const row = rows[0];
    assert.ok(row, 'the users have root mounts');
    assert.equal(await get(`/test/mapping/${row.storage_id}`), String(row.count));
  });

  it('step 6: the push server can connect to the Nextcloud server', async () => {
    assert.equal(await get('/test/reverse_cookie'), String(cookie));
  });

  it('step 7: the push server is a trusted proxy', async () => {
    assert.equal(await get('/test/remote/1.2.3.4'), '1.2.3.4');
  });

  it('step 8: the push server is running the same version as the app', async () => {
    await redis.del('notify_push_version');
    await get('/test/version', 'POST');
    await sleep(10);
    const version = await redis.get('notify_push_version');
    assert.ok(version !== null, 'the push server stored its version');
    const majorMinor = (v: string) => v.slice(0, v.lastIndexOf('.'));
    assert.equal(majorMinor(version), majorMinor(APP_VERSION));
  });
});
