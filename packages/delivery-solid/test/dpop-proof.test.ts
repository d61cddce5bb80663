import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dpopProof, type ProofOptions, type TestKey, testKey } from '@gw/testkit';
import { base64url, calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import { AuthenticationError } from '../src/authentication-error.js';
import { DPOP_ALGORITHMS, type DpopProofCheck, verifyDpopProof } from '../src/dpop-proof.js';

const URL_ = 'https://gw.example/notifications/WebSocketChannel2023/';
const TOKEN = 'header.payload.signature';
const NOW = Date.now();
const nowSec = Math.floor(NOW / 1000);

describe('verifyDpopProof', () => {
  let key: TestKey;

  before(async () => {
    key = await testKey('ES256');
  });

  const proof = (options: Partial<ProofOptions> = {}, signer = key) =>
    dpopProof(signer, { htm: 'POST', htu: URL_, accessToken: TOKEN, iat: nowSec, ...options });
  const check = async (jwt: string | Promise<string>, overrides: Partial<DpopProofCheck> = {}) =>
    verifyDpopProof({
      proof: await jwt,
      method: 'POST',
      url: URL_,
      accessToken: TOKEN,
      algorithms: DPOP_ALGORITHMS,
      maxAgeSec: 300,
      clockToleranceSec: 60,
      requireAth: false,
      now: NOW,
      ...overrides,
    });
  const refused = async (message: string | RegExp, jwt: string | Promise<string>, overrides = {}) =>
    assert.rejects(check(jwt, overrides), (err) => {
      assert.ok(err instanceof AuthenticationError);
      assert.equal(err.status, 401);
      assert.equal(err.error, 'invalid_dpop_proof');
      assert.match(err.wwwAuthenticate, /^DPoP algs="[^"]+", error="invalid_dpop_proof"$/);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });

  it('accepts a proof of each algorithm, resolving its key thumbprint and jti', async () => {
    for (const alg of DPOP_ALGORITHMS) {
      const signer = await testKey(alg);
      const verified = await check(proof({ jti: `jti-${alg}` }, signer));
      assert.deepEqual(verified, {
        jkt: await calculateJwkThumbprint(signer.publicJwk, 'sha256'),
        jti: `jti-${alg}`,
      });
    }
  });

  it('compares htu without query and fragment, after normalisation', async () => {
    const htu = 'HTTPS://GW.example:443/notifications/./WebSocket%43hannel2023/?x=1#y';
    await check(proof({ htu }), { url: `${URL_}?topic=a` });
    await check(proof({ htu: 'https://gw.example/a%2fb' }), { url: 'https://gw.example/a%2Fb' });
  });

  it('refuses a proof for another URL', async () => {
    const message = 'DPoP proof htu does not match the request URL';
    await refused(message, proof({ htu: 'https://gw.example/notifications/WebhookChannel2023/' }));
    await refused(message, proof({ htu: 'http://gw.example/notifications/WebSocketChannel2023/' }));
    await refused(message, proof({ htu: 'https://gw.example/a%2Fb' }), {
      url: 'https://gw.example/a/b',
    });
    await refused(message, proof({ htu: 'not a url' }));
  });

  it('refuses a proof for another method', async () => {
    await refused('DPoP proof htm does not match the request method', proof({ htm: 'DELETE' }));
    await refused('DPoP proof htm does not match the request method', proof({ htm: 'post' }));
  });

  it('accepts a proof up to the maximum age plus tolerance, and refuses an older one', async () => {
    await check(proof({ iat: nowSec - 360 }));
    await refused('DPoP proof is too old', proof({ iat: nowSec - 361 }));
  });

  it('accepts a proof from a clock ahead by the tolerance, and refuses one further ahead', async () => {
    await check(proof({ iat: nowSec + 60 }));
    await refused('DPoP proof iat is in the future', proof({ iat: nowSec + 61 }));
  });

  it('refuses an ath that does not match the access token', async () => {
    await refused(
      'DPoP proof ath does not match the access token',
      proof({ accessToken: 'another.access.token' }),
    );
  });

  it('accepts a proof without ath unless ath is required', async () => {
    await check(proof({ accessToken: undefined }));
    await refused('DPoP proof has no ath', proof({ accessToken: undefined }), { requireAth: true });
  });

  it('refuses a proof whose typ is not dpop+jwt', async () => {
    await refused('DPoP proof typ is not dpop+jwt', proof({ header: { typ: 'JWT' } }));
  });

  it('refuses algorithms outside the accepted list, symmetric ones and none', async () => {
    const es512 = await testKey('ES512');
    await refused('DPoP proof alg ES512 is not accepted', proof({}, es512));
    await refused('DPoP proof alg ES256 is not accepted', proof(), { algorithms: ['RS256'] });
    const secret = new Uint8Array(32).fill(7);
    const symmetricJwk = { kty: 'oct', k: base64url.encode(secret) };
    const hmac = new SignJWT({ htm: 'POST', htu: URL_, iat: nowSec, jti: 'h' })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: symmetricJwk })
      .sign(secret);
    await refused('DPoP proof alg HS256 is not accepted', hmac);
    const unsigned = [
      base64url.encode(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk })),
      base64url.encode(JSON.stringify({ htm: 'POST', htu: URL_, iat: nowSec, jti: 'n' })),
      '',
    ].join('.');
    await refused('DPoP proof alg none is not accepted', unsigned);
  });

  it('refuses a proof without jwk, or whose jwk is a private key', async () => {
    await refused('DPoP proof has no jwk header', proof({ header: { jwk: undefined } }));
    const privateJwk = await exportJWK(key.privateKey);
    await refused(
      'DPoP proof jwk must be a public key, not a private one',
      proof({ header: { jwk: privateJwk } }),
    );
  });

  it('refuses a proof signed by another key than its jwk', async () => {
    const other = await testKey('ES256');
    await refused('DPoP proof signature is invalid', proof({ header: { jwk: other.publicJwk } }));
  });

  it('refuses a proof whose jwk does not fit its alg', async () => {
    const rsa = await testKey('RS256');
    await refused(/^DPoP proof is invalid: /, proof({ header: { jwk: rsa.publicJwk } }));
  });

  it('refuses a proof without jti or iat', async () => {
    await refused('DPoP proof has no jti', proof({ claims: { jti: undefined } }));
    await refused('DPoP proof has no iat', proof({ claims: { iat: undefined } }));
  });

  it('refuses what is not a JWT', async () => {
    await refused('DPoP proof is not a JWT', 'not-a-jwt');
    await refused('DPoP proof is not a JWT', '');
  });
});
