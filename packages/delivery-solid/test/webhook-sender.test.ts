import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { WebhookSender } from '../src/webhook-sender.js';

/** A key store in memory, shared by the senders given it, as PostgreSQL is by replicas. */
function memoryStore() {
  const values = new Map<string, string>();
  return {
    async shared(name: string, create: () => string) {
      if (!values.has(name)) values.set(name, create());
      return values.get(name) as string;
    },
  };
}

const publicUrl = 'https://cloud.example.com/push/';
const target = 'https://hooks.example.org/in?x=1';

describe('WebhookSender', () => {
  it('names its WebID and one issuer string everywhere', () => {
    const sender = new WebhookSender({ publicUrl, store: memoryStore() });
    assert.equal(
      sender.webId,
      'https://cloud.example.com/push/.notifications/WebhookChannel2023/webId',
    );
    assert.equal(sender.issuer, 'https://cloud.example.com/push');
    assert.equal(sender.openIdConfiguration().issuer, sender.issuer);
    assert.equal(
      sender.openIdConfiguration().jwks_uri,
      'https://cloud.example.com/push/.oidc/jwks',
    );
  });

  it('sends a DPoP-bound token for its WebID that verifies against its JWKS, as CSS receivers check', async () => {
    const sender = new WebhookSender({ publicUrl, store: memoryStore() });
    const { authorization, dpop } = await sender.headersFor(target);
    const token = authorization.replace(/^DPoP /, '');
    const { payload } = await jwtVerify(token, createLocalJWKSet(await sender.jwks()), {
      issuer: sender.openIdConfiguration().issuer,
      audience: 'solid',
    });
    assert.equal(payload.webid, sender.webId);
    assert.equal(payload.sub, sender.webId);

    const proofKey = decodeProtectedHeader(dpop).jwk as JWK;
    const proof = await jwtVerify(dpop, await importJWK(proofKey, 'ES256'), { typ: 'dpop+jwt' });
    assert.equal(proof.payload.htu, target);
    assert.equal(proof.payload.htm, 'POST');
    assert.equal(proof.payload.ath, createHash('sha256').update(token).digest('base64url'));
    assert.deepEqual(payload.cnf, { jkt: await calculateJwkThumbprint(proofKey) });
  });

  it('never shows its private key', async () => {
    const sender = new WebhookSender({ publicUrl, store: memoryStore() });
    const { dpop } = await sender.headersFor(target);
    assert.equal('d' in (decodeProtectedHeader(dpop).jwk ?? {}), false);
    assert.equal(JSON.stringify(await sender.jwks()).includes('"d"'), false);
  });

  it('signs with the same key on every replica that shares the store', async () => {
    const store = memoryStore();
    const first = new WebhookSender({ publicUrl, store });
    const second = new WebhookSender({ publicUrl, store });
    assert.deepEqual(await first.jwks(), await second.jwks());
    const { authorization } = await second.headersFor(target);
    await jwtVerify(authorization.replace(/^DPoP /, ''), createLocalJWKSet(await first.jwks()));
  });

  it('makes a fresh proof for every attempt', async () => {
    const sender = new WebhookSender({ publicUrl, store: memoryStore() });
    const first = await sender.headersFor(target);
    const second = await sender.headersFor(target);
    assert.notEqual(first.dpop, second.dpop);
    assert.equal(first.authorization, second.authorization, 'the token is reused a while');
  });
});
