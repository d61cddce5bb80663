import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  accessToken,
  dpopProof,
  type FakeIssuer,
  startIssuer,
  type TestKey,
  testKey,
} from '@gw/testkit';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
} from '../src/authentication-error.js';
import { BasicAuthenticator } from '../src/basic-authenticator.js';
import { MemoryReplayGuard } from '../src/replay-guard.js';
import { type AuthenticationRequest, RequestAuthenticator } from '../src/request-authenticator.js';
import { SolidOidcVerifier } from '../src/solid-oidc-verifier.js';
import { defaultWebIdTemplates, WebIdRule } from '../src/webid-rule.js';

const URL_ = 'https://gw.example/notifications/WebSocketChannel2023/';
const BASIC = 'Basic realm="Nextcloud", charset="UTF-8"';
const DPOP = 'DPoP algs="ES256 ES384 PS256 RS256 EdDSA"';

const basicHeader = (credentials: string) =>
  `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('RequestAuthenticator', () => {
  let issuer: FakeIssuer;
  let issuerKey: TestKey;
  let clientKey: TestKey;
  let nextcloudDown = false;
  const verifyCalls: (readonly string[])[] = [];

  const basic = new BasicAuthenticator({
    verify: async (username, password, forwardedFor) => {
      verifyCalls.push(forwardedFor);
      if (nextcloudDown) throw new Error('connect ECONNREFUSED');
      return username === 'alice' && password === 'pässword:1' ? 'alice' : undefined;
    },
  });
  let withDpop: RequestAuthenticator;
  const basicOnly = new RequestAuthenticator({ basic });

  before(async () => {
    [issuerKey, clientKey] = await Promise.all([testKey('ES256'), testKey('ES256')]);
    issuer = await startIssuer([issuerKey]);
    const rule = new WebIdRule({
      templates: defaultWebIdTemplates('https://cloud.example/'),
      issuers: [issuer.url],
    });
    const solidOidc = new SolidOidcVerifier({
      trustedIssuers: [issuer.url],
      webIdToUid: (webId, iss) => rule.toUid(webId, iss),
      replayGuard: new MemoryReplayGuard(),
    });
    withDpop = new RequestAuthenticator({ basic, solidOidc });
  });
  after(async () => {
    await issuer.close();
  });

  const request = (headers: AuthenticationRequest['headers']): AuthenticationRequest => ({
    method: 'POST',
    url: URL_,
    headers,
    forwardedFor: ['203.0.113.7'],
  });
  const dpopHeaders = async () => {
    const token = await accessToken(issuer.url, { key: issuerKey, dpopKey: clientKey });
    const dpop = await dpopProof(clientKey, { htm: 'POST', htu: URL_, accessToken: token });
    return { authorization: `DPoP ${token}`, dpop };
  };
  const refused = (code: string, wwwAuthenticate: string, message?: RegExp) => (err: unknown) => {
    assert.ok(err instanceof AuthenticationError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.error, code);
    assert.equal(err.wwwAuthenticate, wwwAuthenticate);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  };

  it('resolves undefined without an Authorization header', async () => {
    assert.equal(await withDpop.authenticate(request({})), undefined);
  });

  it('challenges with DPoP and Basic, and with Basic only when Solid-OIDC is not configured', () => {
    assert.equal(withDpop.challenge(), `${DPOP}, ${BASIC}`);
    assert.equal(withDpop.challenge('invalid_token'), `${DPOP}, error="invalid_token", ${BASIC}`);
    assert.equal(basicOnly.challenge(), BASIC);
    assert.equal(basicOnly.challenge('invalid_token'), BASIC);
  });

  it('authenticates Basic credentials in UTF-8, passing the forwarded addresses to Nextcloud', async () => {
    for (const scheme of ['Basic', 'basic']) {
      const authorization = basicHeader('alice:pässword:1').replace('Basic', scheme);
      assert.deepEqual(await withDpop.authenticate(request({ authorization })), {
        uid: 'alice',
        scheme: 'basic',
      });
    }
    assert.deepEqual(verifyCalls.at(-1), ['203.0.113.7']);
  });

  it('refuses wrong Basic credentials with the full challenge', async () => {
    await assert.rejects(
      withDpop.authenticate(request({ authorization: basicHeader('alice:wrong') })),
      refused('invalid_token', `${DPOP}, ${BASIC}`),
    );
  });

  it('refuses malformed Basic credentials', async () => {
    const malformed: [string, RegExp][] = [
      ['Basic !!!!', /not valid base64/],
      ['Basic', /not valid base64/],
      ['Basic YWxpY2U', /not valid base64/],
      [basicHeader('alice'), /no colon/],
      [`Basic ${Buffer.from([0x61, 0x3a, 0xff]).toString('base64')}`, /not UTF-8/],
    ];
    for (const [authorization, message] of malformed) {
      await assert.rejects(
        withDpop.authenticate(request({ authorization })),
        refused('invalid_request', `${DPOP}, ${BASIC}`, message),
        authorization,
      );
    }
  });

  it('passes on that Nextcloud cannot check the credentials', async () => {
    nextcloudDown = true;
    try {
      await assert.rejects(
        withDpop.authenticate(request({ authorization: basicHeader('bob:secret') })),
        AuthenticationUnavailableError,
      );
    } finally {
      nextcloudDown = false;
    }
  });

  it('authenticates a DPoP-bound token with its proof', async () => {
    assert.deepEqual(await withDpop.authenticate(request(await dpopHeaders())), {
      uid: 'alice',
      scheme: 'dpop',
      webId: 'https://cloud.example/apps/solid/~alice/profile/card#me',
    });
  });

  it('refuses a DPoP token without a DPoP header', async () => {
    const { authorization } = await dpopHeaders();
    await assert.rejects(
      withDpop.authenticate(request({ authorization })),
      refused(
        'invalid_dpop_proof',
        `${DPOP}, error="invalid_dpop_proof", ${BASIC}`,
        /needs a DPoP proof/,
      ),
    );
  });

  it("refuses a token the verifier rejects, with the gateway's full challenge", async () => {
    const headers = await dpopHeaders();
    await withDpop.authenticate(request(headers));
    await assert.rejects(
      withDpop.authenticate(request(headers)),
      refused(
        'invalid_dpop_proof',
        `${DPOP}, error="invalid_dpop_proof", ${BASIC}`,
        /already used/,
      ),
    );
    await assert.rejects(
      withDpop.authenticate(request({ ...headers, authorization: 'DPoP e30.e30.sig' })),
      refused('invalid_token', `${DPOP}, error="invalid_token", ${BASIC}`, /no iss/),
    );
  });

  it('refuses Bearer tokens, explaining that DPoP-bound tokens are required', async () => {
    const { authorization } = await dpopHeaders();
    await assert.rejects(
      withDpop.authenticate(request({ authorization: authorization.replace('DPoP', 'Bearer') })),
      refused(
        'invalid_token',
        `${DPOP}, error="invalid_token", ${BASIC}`,
        /DPoP-bound access token/,
      ),
    );
  });

  it('refuses unknown schemes', async () => {
    for (const authorization of ['Negotiate abc', 'WebID https://evil.example/#me', '']) {
      await assert.rejects(
        withDpop.authenticate(request({ authorization })),
        refused('invalid_request', `${DPOP}, ${BASIC}`, /is not supported/),
      );
    }
  });

  it('neither offers nor accepts DPoP when Solid-OIDC is not configured', async () => {
    await assert.rejects(
      basicOnly.authenticate(request(await dpopHeaders())),
      refused('invalid_request', BASIC, /scheme DPoP is not supported/),
    );
    await assert.rejects(
      basicOnly.authenticate(request({ authorization: 'Bearer abc' })),
      refused('invalid_token', BASIC, /Basic/),
    );
  });

  it('refuses a DPoP header sent twice over HTTP', async () => {
    const server = http.createServer((req, res) => {
      withDpop
        .authenticate({ method: 'POST', url: URL_, headers: req.headers, forwardedFor: [] })
        .then(
          () => res.end('ok'),
          (err: AuthenticationError) =>
            res.writeHead(err.status, { 'www-authenticate': err.wwwAuthenticate }).end(err.message),
        );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { authorization, dpop } = await dpopHeaders();
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http
          .request({
            port: (server.address() as AddressInfo).port,
            host: '127.0.0.1',
            method: 'POST',
            headers: { authorization, dpop: [dpop, dpop] },
          })
          .on('response', resolve)
          .on('error', reject)
          .end();
      });
      response.resume();
      assert.equal(response.statusCode, 401);
      assert.equal(
        response.headers['www-authenticate'],
        `${DPOP}, error="invalid_dpop_proof", ${BASIC}`,
      );
    } finally {
      server.close();
      await once(server, 'close');
    }
  });
});
