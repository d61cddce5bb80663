import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  InvalidWebhookSecretError,
  signatureHeaders,
} from '../src/webhook-signature.js';

const BODY = '{"@context":"https://www.w3.org/ns/solid/notification/v1","type":"Update","é":"✓"}';
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('signatureHeaders', () => {
  it('signs so that the standardwebhooks library verifies the exact body', () => {
    const secret = generateWebhookSecret();
    const headers = signatureHeaders({
      secret,
      id: 'msg_2b1c',
      timestamp: nowSeconds(),
      body: BODY,
    });
    assert.deepEqual(new Webhook(secret).verify(BODY, { ...headers }), JSON.parse(BODY));
  });

  it('fails verification when the body, id or timestamp differ, or with another secret', () => {
    const secret = generateWebhookSecret();
    const timestamp = nowSeconds();
    const headers = signatureHeaders({ secret, id: 'msg_1', timestamp, body: BODY });
    const webhook = new Webhook(secret);
    assert.throws(() => webhook.verify(`${BODY} `, { ...headers }), /No matching signature/);
    assert.throws(
      () => webhook.verify(BODY, { ...headers, 'webhook-id': 'msg_2' }),
      /No matching signature/,
    );
    assert.throws(
      () => webhook.verify(BODY, { ...headers, 'webhook-timestamp': String(timestamp - 1) }),
      /No matching signature/,
    );
    assert.throws(
      () => new Webhook(generateWebhookSecret()).verify(BODY, { ...headers }),
      /No matching signature/,
    );
  });

  it('matches the Standard Webhooks reference signature for a fixed input', () => {
    // Computed by the reference library itself: `Webhook.sign` is deterministic.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = 1614265330;
    const body = '{"test": 2432232314}';
    const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), body);
    assert.equal(expected, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    assert.deepEqual(signatureHeaders({ secret, id, timestamp, body }), {
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': expected,
    });
  });

  it('uses the timestamp it is given, in whole seconds', () => {
    const secret = generateWebhookSecret();
    const headers = signatureHeaders({ secret, id: 'a', timestamp: 1_700_000_000, body: '' });
    assert.equal(headers['webhook-timestamp'], '1700000000');
    assert.throws(() => signatureHeaders({ secret, id: 'a', timestamp: 1.5, body: '' }), TypeError);
    assert.throws(() => signatureHeaders({ secret, id: 'a', timestamp: -1, body: '' }), TypeError);
  });

  it('refuses an id that would make the signed content ambiguous', () => {
    const secret = generateWebhookSecret();
    for (const id of ['', 'a.b']) {
      assert.throws(() => signatureHeaders({ secret, id, timestamp: 1, body: '' }), TypeError);
    }
  });

  it('refuses a malformed secret without revealing it', () => {
    const bytes = (n: number) => Buffer.alloc(n, 7).toString('base64');
    const cases: Record<string, string> = {
      [bytes(32)]: 'no "whsec_" prefix',
      'whsec_not base64!!': 'not base64',
      whsec_abc: 'not base64',
      [`whsec_${bytes(23)}`]: '23 bytes, not 24–64',
      [`whsec_${bytes(65)}`]: '65 bytes, not 24–64',
    };
    for (const [secret, detail] of Object.entries(cases)) {
      assert.throws(
        () => signatureHeaders({ secret, id: 'a', timestamp: 1, body: '' }),
        (err: unknown) =>
          err instanceof InvalidWebhookSecretError &&
          err.message === `invalid webhook secret: ${detail}` &&
          !err.message.includes(secret),
      );
    }
    for (const n of [24, 64]) {
      signatureHeaders({ secret: `whsec_${bytes(n)}`, id: 'a', timestamp: 1, body: '' });
    }
  });
});

describe('generateWebhookSecret', () => {
  it('makes whsec_ + base64 of 32 random bytes, different each time', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateWebhookSecret));
    assert.equal(secrets.size, 100);
    for (const secret of secrets) {
      assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
    }
  });
});
