// WebhookChannel2023 end to end: CSS's integration cases (reference/solid.md §4) adapted, then
// what CSS does not do: signatures a receiver verifies with `standardwebhooks`, retries,
// Retry-After, 410, permanent failures, no redirects, and the SSRF guard.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ReceiverHandler, startReceiver, type TestReceiver, until } from '@gw/testkit';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
} from 'jose';
import { Parser } from 'n3';
import { Webhook } from 'standardwebhooks';
import { basic, davUrl, LEGACY_CONTEXT, NOTIFY, startSolidStack } from './solid-client.js';
import type { Stack } from './stack.js';

const WEBHOOK = `${NOTIFY}WebhookChannel2023`;
const users = [{ uid: 'alice', password: 'alice-pw' }];
const alice = { authorization: basic('alice', 'alice-pw') };

/** Webhook settings a test can wait out: retries after 100, 200, 300 ms. */
const FAST = {
  env: { WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.0/8', WEBHOOK_RETRY_SCHEDULE: '0.1,0.2,0.3' },
  solid: {
    webhooks: {
      retry: { overloadMinimumMs: 300, jitter: 0 },
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
    },
  },
};

/** POSTs a WebhookChannel2023 subscription as CSS's test does (sendTo under its full IRI). */
async function subscribeWebhook(stack: Stack & { base: string }, body: Record<string, unknown>) {
  const response = await fetch(`${stack.base}.notifications/WebhookChannel2023/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json', ...alice },
    body: JSON.stringify({ '@context': [LEGACY_CONTEXT], type: WEBHOOK, ...body }),
  });
  const json = (await response.json()) as Record<string, unknown>;
  return { response, json, secret: response.headers.get('webhook-secret') ?? undefined };
}

/** The gateway's `/metrics` page (the stack must have been started with a metrics port). */
async function metrics(stack: Stack): Promise<string> {
  return (await fetch(`${stack.gateway.metricsAddress}/metrics`)).text();
}

/** A receiver answering with the given statuses in turn (200 once they run out). */
function answering(...statuses: (number | [number, Record<string, string>])[]): ReceiverHandler {
  return (_request, res) => {
    const next = statuses.shift() ?? 200;
    const [status, headers] = Array.isArray(next) ? next : [next, {}];
    res.writeHead(status, headers).end();
  };
}

describe('WebhookChannel2023, the CSS integration cases and delivery', () => {
  let stack: Stack & { base: string };
  let receiver: TestReceiver;
  let handler: ReceiverHandler = answering();
  /** When each request arrived, by path. */
  const arrivals = new Map<string, number[]>();

  before(async () => {
    stack = await startSolidStack({ users, ...FAST, config: { metricsPort: 0 } });
    receiver = await startReceiver((request, res, req) => {
      arrivals.set(request.url, [...(arrivals.get(request.url) ?? []), performance.now()]);
      handler(request, res, req);
    });
  });
  after(async () => {
    await receiver.close();
    await stack.close();
  });

  /** A channel on a new file, delivering to the receiver under `path`. */
  const channelOn = async (file: string, extra: Record<string, unknown> = {}) => {
    const result = await subscribeWebhook(stack, {
      topic: davUrl(stack, 'alice', file),
      [`${NOTIFY}sendTo`]: `${receiver.origin}/${file}`,
      ...extra,
    });
    assert.equal(result.response.status, 200, JSON.stringify(result.json));
    return result;
  };
  const requestsTo = (file: string) => receiver.requests.filter((r) => r.url === `/${file}`);

  it('exposes metadata on how to subscribe in the storage description', async () => {
    const response = await fetch(`${stack.base}.well-known/solid`, {
      headers: { accept: 'text/turtle' },
    });
    const quads = new Parser().parse(await response.text());
    const webhookServices = quads.filter(
      (q) => q.predicate.value === `${NOTIFY}channelType` && q.object.value === WEBHOOK,
    );
    assert.deepEqual(
      webhookServices.map((q) => q.subject.value),
      [`${stack.base}.notifications/WebhookChannel2023/`],
    );
  });

  it('supports subscribing: a sender, and the signing secret shown once', async () => {
    const { json, secret } = await channelOn('subscribed.txt');
    assert.equal(json.type, WEBHOOK);
    assert.equal(json.sendTo, `${receiver.origin}/subscribed.txt`);
    assert.equal(json.sender, `${stack.base}.notifications/WebhookChannel2023/webId`);
    assert.match(String(secret), /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(JSON.stringify(json).includes(String(secret)), false, 'not in the body');
    const sender = await fetch(String(json.sender), { headers: { accept: 'text/turtle' } });
    assert.equal(sender.status, 200);
  });

  it('emits Created events, signed so that standardwebhooks verifies them', async () => {
    handler = answering();
    const { secret } = await channelOn('created.txt');
    await stack.nextcloud.writeFile('alice', 'files/created.txt', 'x');
    await until(() => requestsTo('created.txt').length === 1, 'the delivery');
    const [request] = requestsTo('created.txt');
    assert.equal(request?.headers['content-type'], 'application/ld+json');
    const verified = new Webhook(String(secret)).verify(request?.body ?? '', {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    }) as Record<string, unknown>;
    assert.equal(verified.type, 'Create');
    assert.equal(verified.object, davUrl(stack, 'alice', 'created.txt'));
    assert.deepEqual(verified['@context'], [
      'https://www.w3.org/ns/activitystreams',
      LEGACY_CONTEXT,
    ]);
  });

  it('identifies itself the Solid way: a DPoP-bound token for its WebID, as CSS receivers verify', async () => {
    handler = answering();
    const { json } = await channelOn('identified.txt');
    await stack.nextcloud.writeFile('alice', 'files/identified.txt', 'x');
    await until(() => requestsTo('identified.txt').length === 1, 'the delivery');
    const [request] = requestsTo('identified.txt');
    const [scheme, token = ''] = String(request?.headers.authorization).split(' ');
    assert.equal(scheme, 'DPoP');
    // As CSS's test: the issuer's metadata, its jwks_uri, the token and the proof against them.
    const webId = await (
      await fetch(String(json.sender), { headers: { accept: 'text/turtle' } })
    ).text();
    const issuer = /solid:oidcIssuer <([^>]+)>/.exec(webId)?.[1];
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      jwks_uri: string;
    };
    assert.equal(metadata.issuer, issuer, 'one issuer string in the WebID and the metadata');
    const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));
    const { payload } = await jwtVerify(token, jwks, {
      issuer: metadata.issuer,
      audience: 'solid',
    });
    assert.equal(payload.webid, json.sender);
    const proof = String(request?.headers.dpop);
    const proofKey = decodeProtectedHeader(proof).jwk as JWK;
    const { payload: claims } = await jwtVerify(proof, await importJWK(proofKey, 'ES256'));
    assert.equal(claims.htu, `${receiver.origin}/identified.txt`);
    assert.equal(claims.htm, 'POST');
    assert.deepEqual(payload.cnf, { jkt: await calculateJwkThumbprint(proofKey) });
  });

  it('sends a notification if a state value was sent along', async () => {
    handler = answering();
    await stack.nextcloud.writeFile('alice', 'files/stated.txt', 'x');
    await channelOn('stated.txt', { state: 'abc' });
    // The write's own storage update may still be on its way and arrive as a Create first.
    const updates = () =>
      requestsTo('stated.txt')
        .map((request) => JSON.parse(request.body) as { type: string; state?: string })
        .filter((notification) => notification.type === 'Update');
    await until(() => updates().length === 1, 'the state notification');
    assert.match(String(updates()[0]?.state), /^"[0-9a-f]{32}"$/);
  });

  it('can remove notification channels, and nothing is delivered for them after', async () => {
    handler = answering();
    const { json } = await channelOn('removed.txt');
    const response = await fetch(String(json.id), { method: 'DELETE', headers: alice });
    assert.equal(response.status, 205);
    await stack.nextcloud.writeFile('alice', 'files/removed.txt', 'x');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(requestsTo('removed.txt').length, 0);
  });

  it('retries a receiver that fails twice, with the same webhook-id each time', async () => {
    handler = answering(500, 503);
    await channelOn('retried.txt');
    await stack.nextcloud.writeFile('alice', 'files/retried.txt', 'x');
    await until(() => requestsTo('retried.txt').length === 3, 'three attempts', 5_000);
    const ids = new Set(requestsTo('retried.txt').map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(requestsTo('retried.txt').length, 3, 'delivered: no fourth attempt');
  });

  it('waits as long as Retry-After asks, within twice the scheduled delay', async () => {
    handler = answering([503, { 'retry-after': '0.18' }]);
    await channelOn('retry-after.txt');
    await stack.nextcloud.writeFile('alice', 'files/retry-after.txt', 'x');
    await until(() => requestsTo('retry-after.txt').length === 2, 'the retry', 5_000);
    const [first = 0, second = 0] = arrivals.get('/retry-after.txt') ?? [];
    // Scheduled 100 ms, asked 180 ms: honoured, as it is within 1× to 2× the schedule.
    assert.ok(second - first >= 170, `retried after ${Math.round(second - first)} ms`);
  });

  it('ends the channel when the receiver answers 410 Gone, and counts it as gone', async () => {
    handler = answering(410);
    const { json } = await channelOn('gone.txt');
    await stack.nextcloud.writeFile('alice', 'files/gone.txt', 'x');
    await until(() => requestsTo('gone.txt').length === 1, 'the attempt');
    await until(
      () => stack.gateway.solid?.index.get(String(json.id).split('/').pop() ?? '') === undefined,
      'the channel ending',
    );
    const response = await fetch(String(json.id), { method: 'DELETE', headers: alice });
    assert.equal(response.status, 404);
    assert.match(await metrics(stack), /^gw_webhook_channels_ended_total\{reason="gone"\} 1$/m);
  });

  it('gives up at once on another 4xx, and never follows a redirect', async () => {
    handler = (request, res) => {
      if (request.url === '/permanent.txt') res.writeHead(404).end();
      else if (request.url === '/redirected.txt') {
        res.writeHead(302, { location: `${receiver.origin}/elsewhere` }).end();
      } else res.end();
    };
    await channelOn('permanent.txt');
    await channelOn('redirected.txt');
    await stack.nextcloud.writeFile('alice', 'files/permanent.txt', 'x');
    await stack.nextcloud.writeFile('alice', 'files/redirected.txt', 'x');
    await until(() => requestsTo('redirected.txt').length >= 2, 'a retry of the redirect', 5_000);
    assert.equal(requestsTo('permanent.txt').length, 1);
    assert.equal(requestsTo('elsewhere').length, 0, 'the Location was never requested');
  });
});

describe('WebhookChannel2023 destinations the SSRF guard refuses', () => {
  let stack: Stack & { base: string };

  before(async () => {
    stack = await startSolidStack({
      users,
      solid: {
        webhooks: {
          lookup: async (host) =>
            host === 'internal.example'
              ? [{ address: '10.1.2.3', family: 4 }]
              : [{ address: '93.184.215.14', family: 4 }],
        },
      },
    });
  });
  after(() => stack.close());

  for (const sendTo of [
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.1/hook',
    'https://internal.example/hook',
    'http://public.example/hook',
  ]) {
    it(`refuses ${sendTo} at subscribe time with 422 and a reason`, async () => {
      const { response, json } = await subscribeWebhook(stack, {
        topic: davUrl(stack, 'alice', 'x.txt'),
        [`${NOTIFY}sendTo`]: sendTo,
      });
      assert.equal(response.status, 422);
      assert.equal(json.code, 'GW_SOLID_INVALID_DESTINATION');
      assert.match(String(json.message), /loopback|link-local|metadata|private|https/);
    });
  }

  it('accepts a public https destination', async () => {
    const { response } = await subscribeWebhook(stack, {
      topic: davUrl(stack, 'alice', 'x.txt'),
      [`${NOTIFY}sendTo`]: 'https://public.example/hook',
    });
    assert.equal(response.status, 200);
  });
});

describe('what operators see of webhook delivery', () => {
  let stack: Stack & { base: string };
  let receiver: TestReceiver;
  const password = 'correct horse battery staple';

  before(async () => {
    stack = await startSolidStack({
      users,
      ...FAST,
      env: { ...FAST.env, ADMIN_PASSWORD: password },
      config: { metricsPort: 0 },
    });
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    await stack.close();
  });

  it('serves the queue dashboard only to the admin', async () => {
    const anonymous = await fetch(`${stack.base}admin/queues`);
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic /);
    const wrong = await fetch(`${stack.base}admin/queues`, {
      headers: { authorization: basic('admin', 'not it') },
    });
    assert.equal(wrong.status, 401);
    const admin = { authorization: basic('admin', password) };
    const page = await fetch(`${stack.base}admin/queues`, { headers: admin });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const api = await fetch(`${stack.base}admin/queues/api/queues`, { headers: admin });
    assert.match(await api.text(), /webhooks/);
  });

  it('counts deliveries, their latency and the queue in the metrics', async () => {
    const { response } = await subscribeWebhook(stack, {
      topic: davUrl(stack, 'alice', 'metered.txt'),
      [`${NOTIFY}sendTo`]: `${receiver.origin}/metered`,
    });
    assert.equal(response.status, 200);
    await stack.nextcloud.writeFile('alice', 'files/metered.txt', 'x');
    await until(() => receiver.requests.length === 1, 'the delivery');
    const body = await metrics(stack);
    for (const expected of [
      'gw_webhook_attempts_total{outcome="delivered"} 1',
      'gw_webhook_delivery_seconds_count 1',
      '# TYPE gw_webhook_jobs gauge',
      '# TYPE gw_webhook_channels_ended_total counter',
    ]) {
      assert.ok(body.includes(expected), `missing ${expected}`);
    }
  });
});

describe('the queue dashboard without an admin password', () => {
  let stack: Stack & { base: string };

  before(async () => {
    stack = await startSolidStack({ users });
  });
  after(() => stack.close());

  it('is not there at all', async () => {
    const response = await fetch(`${stack.base}admin/queues`, {
      headers: { authorization: basic('admin', 'anything at all') },
    });
    assert.equal(response.status, 404);
  });
});

describe('a webhook destination that keeps failing', () => {
  let stack: Stack & { base: string };
  let receiver: TestReceiver;

  before(async () => {
    stack = await startSolidStack({
      users,
      ...FAST,
      env: { ...FAST.env, WEBHOOK_DISABLE_AFTER: '1' },
      config: { metricsPort: 0 },
    });
    receiver = await startReceiver((_request, res) => res.writeHead(500).end());
  });
  after(async () => {
    await receiver.close();
    await stack.close();
  });

  it('has its channels ended once it failed for the whole disable period, counted as disabled', async () => {
    const { json } = await subscribeWebhook(stack, {
      topic: davUrl(stack, 'alice', 'failing.txt'),
      [`${NOTIFY}sendTo`]: `${receiver.origin}/failing`,
    });
    const id = String(json.id).split('/').pop() ?? '';
    await stack.nextcloud.writeFile('alice', 'files/failing.txt', 'one');
    await until(() => receiver.requests.length >= 1, 'a failed attempt');
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.ok(stack.gateway.solid?.index.get(id), 'still there before failing past the period');
    await stack.nextcloud.writeFile('alice', 'files/failing.txt', 'two');
    await until(
      () => stack.gateway.solid?.index.get(id) === undefined,
      'the channel ending',
      5_000,
    );
    const response = await fetch(String(json.id), { method: 'DELETE', headers: alice });
    assert.equal(response.status, 404);
    const ended = await metrics(stack);
    assert.match(ended, /^gw_webhook_channels_ended_total\{reason="disabled"\} 1$/m);
    assert.match(ended, /^gw_webhook_channels_ended_total\{reason="gone"\} 0$/m);
  });
});
