import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  accessToken,
  dpopProof,
  type FakeIssuer,
  type ProofOptions,
  startIssuer,
  type TestKey,
  testKey,
} from '@gw/testkit';
import type { JWTPayload } from 'jose';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
} from '../src/authentication-error.js';
import { MemoryReplayGuard, type ReplayGuard } from '../src/replay-guard.js';
import {
  type SolidOidcRequest,
  SolidOidcVerifier,
  type SolidOidcVerifierOptions,
} from '../src/solid-oidc-verifier.js';
import { defaultWebIdTemplates, WebIdRule } from '../src/webid-rule.js';

const URL_ = 'https://gw.example/notifications/WebSocketChannel2023/';
const ALICE = 'https://cloud.example/apps/solid/~alice/profile/card#me';

interface RequestOptions {
  /** Signs the token. @defaultValue the issuer's ES256 key */
  tokenKey?: TestKey;
  /** Signs the proof; the token is bound to it unless `claims.cnf` says otherwise. */
  dpopKey?: TestKey;
  iss?: string;
  claims?: JWTPayload;
  /** Seconds the token was issued before now. @defaultValue 0 */
  tokenAgeSec?: number;
  proof?: Partial<ProofOptions>;
}

describe('SolidOidcVerifier', () => {
  let issuer: FakeIssuer;
  let es256: TestKey;
  let rs256: TestKey;
  let clientKey: TestKey;
  let webIdRule: WebIdRule;

  before(async () => {
    [es256, rs256, clientKey] = await Promise.all([
      testKey('ES256'),
      testKey('RS256'),
      testKey('ES256'),
    ]);
    issuer = await startIssuer([es256, rs256]);
    webIdRule = new WebIdRule({
      templates: defaultWebIdTemplates('https://cloud.example/'),
      issuers: [issuer.url],
    });
  });
  after(async () => {
    await issuer.close();
  });

  const verifier = (options: Partial<SolidOidcVerifierOptions> = {}) =>
    new SolidOidcVerifier({
      // Configured with the slash of the metadata; the tokens lack it (solid.md §3.9 item 7).
      trustedIssuers: [`${issuer.url}/`],
      webIdToUid: (webId, iss) => webIdRule.toUid(webId, iss),
      replayGuard: new MemoryReplayGuard(),
      jwksCooldownMs: 0,
      ...options,
    });
  const request = async (options: RequestOptions = {}): Promise<SolidOidcRequest> => {
    const dpopKey = options.dpopKey ?? clientKey;
    const token = await accessToken(options.iss ?? issuer.url, {
      key: options.tokenKey ?? es256,
      dpopKey,
      claims: options.claims,
      iat: Math.floor(Date.now() / 1000) - (options.tokenAgeSec ?? 0),
    });
    const dpop = await dpopProof(dpopKey, {
      htm: 'POST',
      htu: URL_,
      accessToken: token,
      ...options.proof,
    });
    return { method: 'POST', url: URL_, authorization: `DPoP ${token}`, dpop };
  };
  const refused = (code: string, message: string | RegExp) => (err: unknown) => {
    assert.ok(err instanceof AuthenticationError, String(err));
    assert.equal(err.status, 401);
    assert.equal(err.error, code);
    assert.match(err.wwwAuthenticate, new RegExp(`^DPoP algs="[^"]+", error="${code}"$`));
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  };

  it('accepts an ES256 token with an ES256 proof, mapping the WebID to its uid', async () => {
    assert.deepEqual(await verifier().verify(await request()), {
      webId: ALICE,
      uid: 'alice',
      issuer: issuer.url,
      clientId: 'https://app.example/id',
    });
  });

  it("accepts an RS256 token with an RS256 proof, as Nextcloud's Solid app issues them", async () => {
    const rsaClient = await testKey('RS256');
    const identity = await verifier().verify(
      await request({ tokenKey: rs256, dpopKey: rsaClient }),
    );
    assert.equal(identity.uid, 'alice');
  });

  it("accepts CSS's form: audience [webId, solid], azp and no client_id", async () => {
    const claims = { aud: [ALICE, 'solid'], azp: 'https://app.example/css', client_id: undefined };
    const identity = await verifier().verify(await request({ claims }));
    assert.equal(identity.clientId, 'https://app.example/css');
  });

  it('takes the WebID from sub when the token has no webid claim', async () => {
    const identity = await verifier().verify(await request({ claims: { webid: undefined } }));
    assert.equal(identity.webId, ALICE);
  });

  it('authenticates a WebID that is no Nextcloud user, without a uid', async () => {
    const webId = 'https://bob.solidcommunity.net/profile/card#me';
    const identity = await verifier().verify(
      await request({ claims: { webid: webId, sub: webId } }),
    );
    assert.deepEqual({ webId: identity.webId, uid: identity.uid }, { webId, uid: undefined });
  });

  it('refuses a token without any WebID', async () => {
    await assert.rejects(
      verifier().verify(await request({ claims: { webid: undefined, sub: 'alice' } })),
      refused('invalid_token', 'access token has no WebID'),
    );
  });

  it('refuses a token signed by another key than the issuer’s', async () => {
    const forger = await testKey('ES256', es256.kid);
    await assert.rejects(
      verifier().verify(await request({ tokenKey: forger })),
      refused('invalid_token', 'access token signature is invalid'),
    );
  });

  it('refuses a token whose kid the issuer does not publish', async () => {
    const stranger = await testKey('ES256');
    await assert.rejects(
      verifier().verify(await request({ tokenKey: stranger })),
      refused('invalid_token', `no key of issuer ${issuer.url} matches the access token`),
    );
  });

  it('refuses a token of an untrusted issuer without contacting it', async () => {
    const untrusted = await startIssuer([es256]);
    try {
      await assert.rejects(
        verifier().verify(await request({ iss: untrusted.url })),
        refused('invalid_token', `issuer ${untrusted.url} is not trusted by this gateway`),
      );
      assert.deepEqual(untrusted.requests, []);
    } finally {
      await untrusted.close();
    }
  });

  it('refuses an expired token, allowing the clock tolerance', async () => {
    await verifier().verify(await request({ tokenAgeSec: 3600 + 30 }));
    await assert.rejects(
      verifier().verify(await request({ tokenAgeSec: 3600 + 90 })),
      refused('invalid_token', 'access token expired'),
    );
  });

  it('refuses a token without exp', async () => {
    await assert.rejects(
      verifier().verify(await request({ claims: { exp: undefined } })),
      refused('invalid_token', 'access token exp claim is missing'),
    );
  });

  it('refuses a token whose audience does not include solid', async () => {
    for (const aud of ['https://app.example/id', [ALICE, 'https://gw.example/']]) {
      await assert.rejects(
        verifier().verify(await request({ claims: { aud } })),
        refused('invalid_token', 'access token audience does not include solid'),
      );
    }
  });

  it('refuses a token signed with an algorithm the gateway does not accept', async () => {
    await assert.rejects(
      verifier({ algorithms: ['ES256'] }).verify(await request({ tokenKey: rs256 })),
      refused('invalid_token', /^access token is invalid: /),
    );
  });

  it('refuses a proof for another URL or method', async () => {
    const elsewhere = await request({ proof: { htu: 'https://gw.example/notifications/other/' } });
    await assert.rejects(
      verifier().verify(elsewhere),
      refused('invalid_dpop_proof', 'DPoP proof htu does not match the request URL'),
    );
    await assert.rejects(
      verifier().verify({ ...(await request()), method: 'DELETE' }),
      refused('invalid_dpop_proof', 'DPoP proof htm does not match the request method'),
    );
  });

  it('accepts the URL the client used, with a query, in another spelling', async () => {
    const proof = { htu: 'HTTPS://GW.EXAMPLE:443/notifications/WebSocketChannel2023/' };
    const sent = await request({ proof });
    await verifier().verify({ ...sent, url: `${URL_}?x=1` });
  });

  it('refuses a stale proof', async () => {
    const stale = await request({ proof: { iat: Math.floor(Date.now() / 1000) - 400 } });
    await assert.rejects(
      verifier({ proofMaxAgeSec: 300 }).verify(stale),
      refused('invalid_dpop_proof', 'DPoP proof is too old'),
    );
  });

  it('refuses a replayed proof, also on another replica sharing the replay guard', async () => {
    const replayGuard = new MemoryReplayGuard();
    const sent = await request();
    await verifier({ replayGuard }).verify(sent);
    for (const replica of [verifier({ replayGuard }), verifier({ replayGuard })]) {
      await assert.rejects(
        replica.verify(sent),
        refused('invalid_dpop_proof', 'DPoP proof jti was already used'),
      );
    }
  });

  it('remembers a jti for the whole acceptance window', async () => {
    const ttls: number[] = [];
    const replayGuard: ReplayGuard = { firstUse: async (_key, ttlMs) => ttls.push(ttlMs) > 0 };
    await verifier({ replayGuard, proofMaxAgeSec: 120, clockToleranceSec: 30 }).verify(
      await request(),
    );
    assert.deepEqual(ttls, [(120 + 2 * 30) * 1000]);
  });

  it('does not spend the jti of a refused request', async () => {
    const replayGuard = new MemoryReplayGuard();
    const jti = randomUUID();
    const expired = await request({ tokenAgeSec: 7200, proof: { jti, accessToken: undefined } });
    await assert.rejects(verifier({ replayGuard }).verify(expired), AuthenticationError);
    const valid = await request({ proof: { jti } });
    await verifier({ replayGuard }).verify(valid);
  });

  it('refuses a token bound to another key than the proof’s', async () => {
    const other = await testKey('ES256');
    const token = (await request({ dpopKey: other })).authorization.slice('DPoP '.length);
    const dpop = await dpopProof(clientKey, { htm: 'POST', htu: URL_, accessToken: token });
    await assert.rejects(
      verifier().verify({ method: 'POST', url: URL_, authorization: `DPoP ${token}`, dpop }),
      refused('invalid_token', 'access token is bound to another key than the DPoP proof'),
    );
  });

  it('refuses a token that is not DPoP-bound', async () => {
    await assert.rejects(
      verifier().verify(await request({ claims: { cnf: undefined } })),
      refused('invalid_token', 'access token is not DPoP-bound'),
    );
  });

  it('refuses a proof whose ath does not match the token, and one without ath when required', async () => {
    await assert.rejects(
      verifier().verify(await request({ proof: { accessToken: 'another.token.value' } })),
      refused('invalid_dpop_proof', 'DPoP proof ath does not match the access token'),
    );
    await verifier().verify(await request({ proof: { accessToken: undefined } }));
    await assert.rejects(
      verifier({ requireAth: true }).verify(await request({ proof: { accessToken: undefined } })),
      refused('invalid_dpop_proof', 'DPoP proof has no ath'),
    );
  });

  it('refuses an Authorization header that is not DPoP and a token', async () => {
    const sent = await request();
    for (const authorization of [
      'DPoP',
      'DPoP a b',
      sent.authorization.replace('DPoP', 'Bearer'),
    ]) {
      await assert.rejects(
        verifier().verify({ ...sent, authorization }),
        refused('invalid_request', 'Authorization must be "DPoP" and an access token'),
      );
    }
    await assert.rejects(
      verifier().verify({ ...sent, authorization: 'DPoP not-a-jwt' }),
      refused('invalid_token', 'access token is not a JWT'),
    );
  });

  it('is unavailable (503) when the issuer metadata cannot be fetched', async () => {
    const broken = await startIssuer([es256]);
    broken.failWith = 503;
    try {
      await assert.rejects(
        verifier({ trustedIssuers: [broken.url] }).verify(await request({ iss: broken.url })),
        (err) => err instanceof AuthenticationUnavailableError && err.status === 503,
      );
    } finally {
      await broken.close();
    }
  });

  it('is unavailable (503) when the replay guard cannot answer', async () => {
    const replayGuard: ReplayGuard = { firstUse: () => Promise.reject(new Error('redis down')) };
    await assert.rejects(
      verifier({ replayGuard }).verify(await request()),
      (err) => err instanceof AuthenticationUnavailableError && err.status === 503,
    );
  });

  it('accepts tokens of a rotated key once the issuer publishes its kid', async () => {
    const checker = verifier();
    await checker.verify(await request());
    const rotated = await testKey('ES256');
    issuer.keys = [rotated, es256, rs256];
    try {
      assert.equal((await checker.verify(await request({ tokenKey: rotated }))).uid, 'alice');
    } finally {
      issuer.keys = [es256, rs256];
    }
  });

  it('refuses an empty allow-list and algorithms outside the asymmetric five', () => {
    assert.throws(() => verifier({ trustedIssuers: [] }), RangeError);
    assert.throws(() => verifier({ algorithms: [] }), RangeError);
    assert.throws(() => verifier({ algorithms: ['HS256' as 'ES256'] }), RangeError);
  });
});
