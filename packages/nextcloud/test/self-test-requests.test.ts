// NextcloudClient's self-test requests (reference/notify_push.md §6.1 reverse_cookie, remote,
// §5.3 version) against a local HTTP server playing the app's TestController: upstream's texts
// for each failure.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@gw/testkit';
import { NextcloudClient, SelfTestError } from '../src/index.js';

type Answer = { status: number; body: string };

describe('NextcloudClient self-test requests', () => {
  let server: http.Server;
  let client: NextcloudClient;
  let answer: Answer = { status: 200, body: '' };
  const received: http.IncomingHttpHeaders[] = [];
  const paths: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      received.push(req.headers);
      paths.push(req.url ?? '');
      res.writeHead(answer.status).end(answer.body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    client = new NextcloudClient({ baseUrl: `http://127.0.0.1:${port}/nc`, userAgent: 'gw-test' });
  });
  after(async () => {
    await client.close();
    server.closeAllConnections();
    server.close();
  });

  const failure = async (request: Promise<unknown>) => {
    const err = await request.then(
      () => assert.fail('expected a SelfTestError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SelfTestError);
    return err.message;
  };

  it('reads the cookie with the token header from the app route', async () => {
    answer = { status: 200, body: '123456' };
    assert.equal(await client.getTestCookie('secret'), 123456);
    assert.equal(paths.at(-1), '/nc/index.php/apps/notify_push/test/cookie');
    assert.equal(received.at(-1)?.token, 'secret');
    assert.equal(received.at(-1)?.['user-agent'], 'gw-test');
  });

  it('names an untrusted domain, other client errors and unparsable cookies as upstream does', async () => {
    answer = { status: 400, body: '<a href="admin-trusted-domains">' };
    assert.equal(
      await failure(client.getTestCookie('t')),
      '127.0.0.1 is not configured as a trusted domain for the nextcloud server',
    );
    answer = { status: 403, body: '' };
    assert.equal(await failure(client.getTestCookie('t')), 'Client error: 403 Forbidden');
    answer = { status: 200, body: 'abc' };
    assert.equal(
      await failure(client.getTestCookie('t')),
      'Invalid response when getting test cookie: invalid digit found in string',
    );
    answer = { status: 200, body: '' };
    assert.equal(
      await failure(client.getTestCookie('t')),
      'Invalid response when getting test cookie: cannot parse integer from empty string',
    );
    answer = { status: 200, body: '4294967296' };
    assert.equal(
      await failure(client.getTestCookie('t')),
      'Invalid response when getting test cookie: number too large to fit in target type',
    );
  });

  it('forwards only the given address to the remote check and reads back an IP', async () => {
    answer = { status: 200, body: '1.2.3.4' };
    assert.equal(await client.getTestRemote('1.2.3.4', 't'), '1.2.3.4');
    assert.equal(paths.at(-1), '/nc/index.php/apps/notify_push/test/remote');
    assert.equal(received.at(-1)?.['x-forwarded-for'], '1.2.3.4');
    answer = { status: 200, body: '2001:DB8:0:0::1' };
    assert.equal(await client.getTestRemote('2001:db8::1', 't'), '2001:db8::1');
    answer = { status: 403, body: '' };
    assert.equal(
      await failure(client.getTestRemote('1.2.3.4', 't')),
      'Invalid response when testing if the push server is a trusted proxy: invalid IP address syntax',
    );
  });

  it('asks the app for its version without a token', async () => {
    answer = { status: 200, body: '' };
    await client.requestAppVersion();
    assert.equal(paths.at(-1), '/nc/index.php/apps/notify_push/test/version');
    assert.equal(received.at(-1)?.token, undefined);
  });

  it('rejects with the connection error when Nextcloud is unreachable', async () => {
    const down = new NextcloudClient({ baseUrl: `http://127.0.0.1:${await freePort()}/` });
    assert.match(await failure(down.getTestCookie('t')), /ECONNREFUSED/);
    await down.close();
  });
});
