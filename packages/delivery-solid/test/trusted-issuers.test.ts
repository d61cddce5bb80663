import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FakeIssuer, startIssuer, type TestKey, testKey } from '@gw/testkit';
import { type CryptoKey, errors, exportJWK } from 'jose';
import { AuthenticationUnavailableError } from '../src/authentication-error.js';
import { issuerKey, TrustedIssuers, type TrustedIssuersOptions } from '../src/trusted-issuers.js';

/** An HTTP server that accepts requests and never answers them. */
async function startSilentServer() {
  const sockets = new Set<Socket>();
  const server = http.createServer(() => {});
  server.on('connection', (socket: Socket) => sockets.add(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('TrustedIssuers', () => {
  let key: TestKey;
  let issuer: FakeIssuer;

  before(async () => {
    key = await testKey('ES256');
  });
  after(async () => {
    await issuer?.close();
  });

  /** A fresh issuer and allow-list per test, so request counts start at zero. */
  const setUp = async (options: Partial<TrustedIssuersOptions> = {}) => {
    await issuer?.close();
    issuer = await startIssuer([key]);
    return new TrustedIssuers({ issuers: [issuer.url], jwksCooldownMs: 0, ...options });
  };
  const resolve = async (issuers: TrustedIssuers, iss: string, kid = key.kid) => {
    const resolver = issuers.keyResolver(iss);
    assert.ok(resolver, `${iss} should be trusted`);
    return (await resolver({ alg: 'ES256', kid }, { payload: '', signature: '' })) as CryptoKey;
  };
  const unavailable = (message: RegExp) => (err: unknown) => {
    assert.ok(err instanceof AuthenticationUnavailableError, String(err));
    assert.match(err.message, message);
    return true;
  };

  it("resolves a trusted issuer's key through its metadata and JWKS", async () => {
    const issuers = await setUp();
    const resolved = await resolve(issuers, issuer.url);
    assert.deepEqual(await exportJWK(resolved), key.publicJwk);
    assert.deepEqual(issuer.requests, ['/.well-known/openid-configuration', '/jwks']);
  });

  it('matches the issuer with and without a trailing slash, either way round', async () => {
    const issuers = await setUp();
    await resolve(issuers, `${issuer.url}/`);
    const slashed = new TrustedIssuers({ issuers: [`${issuer.url}/`] });
    await resolve(slashed, issuer.url);
    assert.equal(issuerKey('https://host/nextcloud//'), 'https://host/nextcloud');
  });

  it('gives no resolver for an untrusted issuer and requests nothing from it', async () => {
    const issuers = await setUp();
    const untrusted = await startIssuer([key]);
    try {
      for (const iss of [untrusted.url, `${issuer.url}/other`, 'https://evil.example']) {
        assert.equal(issuers.keyResolver(iss), undefined, iss);
      }
      assert.deepEqual(untrusted.requests, []);
      assert.deepEqual(issuer.requests, []);
    } finally {
      await untrusted.close();
    }
  });

  it('discovers once, for concurrent and later requests alike', async () => {
    const issuers = await setUp();
    await Promise.all([resolve(issuers, issuer.url), resolve(issuers, issuer.url)]);
    await resolve(issuers, issuer.url);
    assert.equal(issuer.requests.filter((path) => path.includes('openid-configuration')).length, 1);
  });

  it('picks up a rotated key once its kid appears in the JWKS', async () => {
    const issuers = await setUp();
    await resolve(issuers, issuer.url);
    const rotated = await testKey('ES256');
    issuer.keys = [key, rotated];
    const resolved = await resolve(issuers, issuer.url, rotated.kid);
    assert.deepEqual(await exportJWK(resolved), rotated.publicJwk);
  });

  it('does not refetch the JWKS for unknown kids within the cooldown', async () => {
    const issuers = await setUp({ jwksCooldownMs: 60_000 });
    await resolve(issuers, issuer.url);
    await assert.rejects(resolve(issuers, issuer.url, 'unknown'), errors.JWKSNoMatchingKey);
    assert.equal(issuer.requests.filter((path) => path === '/jwks').length, 1);
  });

  it('is unavailable while the metadata answers an error, and retries afterwards', async () => {
    const issuers = await setUp();
    issuer.failWith = 500;
    await assert.rejects(
      resolve(issuers, issuer.url),
      unavailable(/^the metadata of issuer http:\/\/127\.0\.0\.1:\d+ answered HTTP 500$/),
    );
    issuer.failWith = undefined;
    await resolve(issuers, issuer.url);
  });

  it('is unavailable when the JWKS cannot be fetched, and rediscovers next time', async () => {
    const issuers = await setUp();
    issuer.metadata = { jwks_uri: `${issuer.url}/missing-jwks` };
    await assert.rejects(resolve(issuers, issuer.url), unavailable(/JWKS .* answered HTTP 404$/));
    issuer.metadata = {};
    await resolve(issuers, issuer.url);
    assert.equal(issuer.requests.filter((path) => path.includes('openid-configuration')).length, 2);
  });

  it('is unavailable when the issuer cannot be reached', async () => {
    const closed = await startIssuer([key]);
    await closed.close();
    const issuers = new TrustedIssuers({ issuers: [closed.url] });
    await assert.rejects(
      resolve(issuers, closed.url),
      unavailable(/could not be fetched: .*ECONNREFUSED/),
    );
  });

  it('gives up on an issuer that does not answer within the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const issuers = new TrustedIssuers({ issuers: [silent.url], timeoutMs: 100 });
      const started = Date.now();
      await assert.rejects(resolve(issuers, silent.url), unavailable(/timed out after 100 ms$/));
      assert.ok(Date.now() - started < 2_000);
    } finally {
      await silent.close();
    }
  });

  it('refuses oversized, malformed or mismatched metadata', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ padding: 'x'.repeat(300_000) }, /could not be fetched: response exceeds 262144 bytes/],
      [{ issuer: 'https://another.example/' }, /names another issuer$/],
      [{ jwks_uri: undefined }, /has no http\(s\) jwks_uri$/],
      [{ jwks_uri: 'file:///etc/passwd' }, /has no http\(s\) jwks_uri$/],
    ];
    for (const [metadata, message] of cases) {
      const issuers = await setUp();
      issuer.metadata = metadata;
      await assert.rejects(resolve(issuers, issuer.url), unavailable(message));
    }
  });

  it('refuses a JWKS without keys', async () => {
    const issuers = await setUp();
    issuer.metadata = { jwks_uri: `${issuer.url}/.well-known/openid-configuration` };
    await assert.rejects(resolve(issuers, issuer.url), unavailable(/JWKS .* has no keys$/));
  });

  it('refuses to trust an issuer that is not an http(s) URL', () => {
    assert.throws(() => new TrustedIssuers({ issuers: ['cloud.example'] }), TypeError);
  });
});
