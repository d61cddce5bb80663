import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { getEventListeners } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  createTestCertificates,
  freePort,
  type ReceiverHandler,
  startReceiver,
  type TestReceiver,
  until,
} from '@gw/testkit';
import { Webhook } from 'standardwebhooks';
import { AddressPolicy } from '../src/address-policy.js';
import { type HostLookup, SafeDispatcher } from '../src/safe-dispatcher.js';
import { type AttemptOptions, attemptDelivery } from '../src/webhook-attempt.js';
import type { AttemptOutcome, WebhookMessage } from '../src/webhook-message.js';
import { generateWebhookSecret } from '../src/webhook-signature.js';

const SECRET = generateWebhookSecret();
const BODY = JSON.stringify({
  '@context': 'https://www.w3.org/ns/solid/notification/v1',
  type: 'Update',
  object: 'https://cloud.example/dav/files/alice/ünïcode.txt',
});

/** Plays the receiver: the path picks the behaviour. */
const scenarios: Record<string, ReceiverHandler> = {
  '/ok': (_request, res) => res.writeHead(204).end(),
  '/verify': (request, res) => {
    try {
      new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>);
      res.end('verified');
    } catch (err) {
      res.writeHead(401).end(String(err));
    }
  },
  '/moved': (_request, res) => res.writeHead(301, { location: `${elsewhere.origin}/ok` }).end(),
  '/found': (_request, res) => res.writeHead(302, { location: `${elsewhere.origin}/ok` }).end(),
  '/gone': (_request, res) => res.writeHead(410).end(),
  '/not-found': (_request, res) => res.writeHead(404).end('no such hook'),
  '/bad-request': (_request, res) => res.writeHead(400).end(),
  '/too-many': (_request, res) => res.writeHead(429, { 'retry-after': '7' }).end(),
  '/fractional': (_request, res) => res.writeHead(429, { 'retry-after': '1.5' }).end(),
  '/unavailable': (_request, res) => {
    res.writeHead(503, { 'retry-after': new Date(NOW + 120_000).toUTCString() }).end();
  },
  '/past': (_request, res) => {
    res.writeHead(503, { 'retry-after': new Date(NOW - 1_000).toUTCString() }).end();
  },
  '/malformed': (_request, res) => res.writeHead(503, { 'retry-after': 'soon' }).end(),
  '/negative': (_request, res) => res.writeHead(503, { 'retry-after': '-5' }).end(),
  '/error': (_request, res) => res.writeHead(500).end('stack trace'),
  '/bad-gateway': (_request, res) => res.writeHead(502).end(),
  '/gateway-timeout': (_request, res) => res.writeHead(504).end(),
  '/request-timeout': (_request, res) => res.writeHead(408).end(),
  '/hang': () => {},
  '/slow-body': (_request, res) => res.writeHead(200).write('partial'),
  // An answer that never ends: an attempt that read it all would never complete.
  '/huge': (_request, res, req) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
    };
    res.on('drain', pump);
    req.socket.on('close', () => huge.closed++);
    pump();
  },
};

/** A whole second, so that HTTP-dates (second precision) around it are exact. */
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
/** How many connections of the endless `/huge` answer have closed. */
const huge = { closed: 0 };
let receiver: TestReceiver;
let elsewhere: TestReceiver;

const lookup: HostLookup = async (hostname) => {
  if (hostname !== 'hooks.test') {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  }
  return [{ address: '127.0.0.1', family: 4 } satisfies LookupAddress];
};

function message(url: string, overrides: Partial<WebhookMessage> = {}): WebhookMessage {
  return {
    id: 'msg_2kYq9w',
    subscriptionId: 'sub_1',
    url,
    contentType: 'application/ld+json',
    body: BODY,
    secret: SECRET,
    createdAt: NOW - 5_000,
    ...overrides,
  };
}

describe('attemptDelivery', () => {
  const dispatcher = new SafeDispatcher({
    policy: new AddressPolicy({ allow: ['127.0.0.0/8'] }),
    lookup,
  });
  const options: AttemptOptions = { dispatcher, userAgent: 'notify-gateway/0.1.0' };
  const attempt = (path: string, extra: Partial<AttemptOptions> = {}) =>
    attemptDelivery(message(`${receiver.origin}${path}`), { ...options, ...extra });
  const outcomes: AttemptOutcome[] = [];

  before(async () => {
    receiver = await startReceiver((request, res, req) => {
      const handler = scenarios[new URL(request.url, 'http://x').pathname];
      if (handler === undefined) res.writeHead(404).end();
      else handler(request, res, req);
    });
    elsewhere = await startReceiver();
  });
  afterEach(() => {
    receiver.requests.length = 0;
  });
  after(async () => {
    // No reason, whatever the outcome, shows the secret or the body sent.
    for (const outcome of outcomes) {
      const text = JSON.stringify(outcome);
      assert.ok(!text.includes(SECRET.slice(6)) && !text.includes(BODY), text);
    }
    await dispatcher.close();
    await Promise.all([receiver.close(), elsewhere.close()]);
  });
  const expectOutcome = async (pending: Promise<AttemptOutcome>, expected: AttemptOutcome) => {
    const outcome = await pending;
    outcomes.push(outcome);
    assert.deepEqual(outcome, expected);
  };

  it('POSTs the body, signed, so that a standardwebhooks receiver verifies it', async () => {
    await expectOutcome(attempt('/verify?token=abc'), {
      kind: 'delivered',
      status: 200,
      responseBody: 'verified',
    });
    const [request] = receiver.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/verify?token=abc');
    assert.equal(request?.body, BODY);
    assert.equal(request?.headers['content-type'], 'application/ld+json');
    assert.equal(request?.headers['content-length'], String(Buffer.byteLength(BODY)));
    assert.equal(request?.headers['user-agent'], 'notify-gateway/0.1.0');
    assert.equal(request?.headers['webhook-id'], 'msg_2kYq9w');
  });

  it('stamps the signature with the time of this attempt, not of the event', async () => {
    await expectOutcome(attempt('/ok', { now: () => NOW + 60_500 }), {
      kind: 'delivered',
      status: 204,
      responseBody: '',
    });
    assert.equal(receiver.requests[0]?.headers['webhook-timestamp'], String(NOW / 1000 + 60));
  });

  it('sends no signature headers for a subscription without a secret', async () => {
    const unsigned = message(`${receiver.origin}/ok`, { secret: undefined });
    await expectOutcome(attemptDelivery(unsigned, options), {
      kind: 'delivered',
      status: 204,
      responseBody: '',
    });
    const headers = Object.keys(receiver.requests[0]?.headers ?? {});
    assert.deepEqual(
      headers.filter((name) => name.startsWith('webhook-')),
      [],
    );
  });

  it('treats a redirect as a retryable failure and never requests its Location', async () => {
    for (const [path, status, text] of [
      ['/moved', 301, 'Moved Permanently'],
      ['/found', 302, 'Found'],
    ] as const) {
      await expectOutcome(attempt(path), {
        kind: 'retry',
        reason: `HTTP ${status} ${text} (redirects are not followed)`,
        status,
        overload: false,
        responseBody: '',
      });
    }
    assert.equal(elsewhere.connections, 0);
    assert.deepEqual(elsewhere.requests, []);
  });

  it('reports 410 as gone', async () => {
    await expectOutcome(attempt('/gone'), { kind: 'gone' });
  });

  it('gives up on other 4xx answers', async () => {
    await expectOutcome(attempt('/not-found'), {
      kind: 'permanent',
      reason: 'HTTP 404 Not Found',
      status: 404,
      responseBody: 'no such hook',
    });
    await expectOutcome(attempt('/bad-request'), {
      kind: 'permanent',
      reason: 'HTTP 400 Bad Request',
      status: 400,
      responseBody: '',
    });
  });

  it('retries a 429 as overload, honouring Retry-After in seconds', async () => {
    await expectOutcome(attempt('/too-many'), {
      kind: 'retry',
      reason: 'HTTP 429 Too Many Requests',
      status: 429,
      retryAfterMs: 7_000,
      overload: true,
      responseBody: '',
    });
    const fractional = await attempt('/fractional');
    assert.equal(fractional.kind === 'retry' && fractional.retryAfterMs, 1_500);
  });

  it('retries a 503, honouring an HTTP-date Retry-After', async () => {
    await expectOutcome(attempt('/unavailable', { now: () => NOW }), {
      kind: 'retry',
      reason: 'HTTP 503 Service Unavailable',
      status: 503,
      retryAfterMs: 120_000,
      overload: false,
      responseBody: '',
    });
  });

  it('ignores a Retry-After that is past, negative or malformed', async () => {
    for (const path of ['/past', '/malformed', '/negative']) {
      const outcome = await attempt(path, { now: () => NOW });
      assert.equal(outcome.kind, 'retry', path);
      assert.equal('retryAfterMs' in outcome, false, path);
    }
  });

  it('retries 5xx and 408 answers', async () => {
    for (const [path, status, text] of [
      ['/error', 500, 'Internal Server Error'],
      ['/bad-gateway', 502, 'Bad Gateway'],
      ['/gateway-timeout', 504, 'Gateway Timeout'],
      ['/request-timeout', 408, 'Request Timeout'],
    ] as const) {
      const outcome = await attempt(path);
      outcomes.push(outcome);
      assert.equal(outcome.kind, 'retry', path);
      assert.equal(outcome.kind === 'retry' && outcome.reason, `HTTP ${status} ${text}`);
      assert.equal(outcome.kind === 'retry' && outcome.overload, false);
    }
  });

  it('retries as overload a receiver that never answers, after the timeout', async () => {
    const started = performance.now();
    await expectOutcome(attempt('/hang', { timeoutMs: 300 }), {
      kind: 'retry',
      reason: 'timed out after 300ms',
      overload: true,
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 2_000, `${elapsed} ms`);
  });

  it('counts a 2xx whose body never ends as delivered, at the timeout', async () => {
    await expectOutcome(attempt('/slow-body', { timeoutMs: 300 }), {
      kind: 'delivered',
      status: 200,
      responseBody: 'partial',
    });
  });

  it('reads a huge answer only up to the cap, then drops the connection', async () => {
    const started = performance.now();
    const outcome = await attempt('/huge', { maxResponseBytes: 1000 });
    assert.ok(performance.now() - started < 2_000);
    assert.equal(outcome.kind === 'delivered' && outcome.responseBody, 'x'.repeat(1000));
    await until(() => huge.closed === 1, 'the connection to close');
  });

  it('reads 4 KiB of the answer by default', async () => {
    const outcome = await attempt('/huge');
    assert.equal(outcome.kind === 'delivered' && outcome.responseBody?.length, 4096);
  });

  it('retries when the connection is refused or the name does not resolve', async () => {
    const port = await freePort();
    const refused = await attemptDelivery(message(`http://127.0.0.1:${port}/`), options);
    assert.equal(refused.kind, 'retry');
    assert.match(refused.kind === 'retry' ? refused.reason : '', /ECONNREFUSED 127\.0\.0\.1/);
    assert.equal(refused.kind === 'retry' && refused.overload, false);
    await expectOutcome(attemptDelivery(message('http://missing.test/'), options), {
      kind: 'retry',
      reason: 'getaddrinfo ENOTFOUND missing.test',
      overload: false,
    });
  });

  it('gives up on a destination the SSRF guard refuses, without connecting', async () => {
    const guarded = new SafeDispatcher({ lookup });
    const connections = receiver.connections;
    try {
      await expectOutcome(attempt('/ok', { dispatcher: guarded }), {
        kind: 'permanent',
        reason: '127.0.0.1 is a loopback address',
      });
      const viaName = message(`http://hooks.test:${receiver.port}/ok`);
      await expectOutcome(attemptDelivery(viaName, { ...options, dispatcher: guarded }), {
        kind: 'permanent',
        reason: '127.0.0.1 is a loopback address',
      });
      // The URL parser turns every spelling of an IPv4 address into dotted decimal first.
      for (const host of ['2130706433', '0x7f.1', '017700000001', '[::ffff:7f00:1]']) {
        const outcome = await attemptDelivery(message(`http://${host}:${receiver.port}/ok`), {
          ...options,
          dispatcher: guarded,
        });
        assert.equal(outcome.kind, 'permanent', host);
        assert.match(outcome.kind === 'permanent' ? outcome.reason : '', /loopback/);
      }
      assert.deepEqual(receiver.requests, []);
      assert.equal(receiver.connections, connections);
    } finally {
      await guarded.close();
    }
  });

  it('gives up on an invalid URL or a scheme other than http(s), without echoing it', async () => {
    for (const [url, reason] of [
      ['not a url?token=s3cr3t', 'invalid URL'],
      ['ftp://127.0.0.1/hook?token=s3cr3t', 'unsupported URL scheme ftp:'],
      ['file:///etc/passwd', 'unsupported URL scheme file:'],
    ] as const) {
      await expectOutcome(attemptDelivery(message(url), options), { kind: 'permanent', reason });
    }
  });

  it('gives up on a malformed secret or unsendable header, without revealing the secret', async () => {
    const secret = 'whsec_tooShort';
    await expectOutcome(attemptDelivery(message(`${receiver.origin}/ok`, { secret }), options), {
      kind: 'permanent',
      reason: 'invalid webhook secret: 6 bytes, not 24–64',
    });
    const broken = message(`${receiver.origin}/ok`, { contentType: 'text/plain\r\nx-injected: 1' });
    const outcome = await attemptDelivery(broken, options);
    outcomes.push(outcome);
    assert.deepEqual(outcome, { kind: 'permanent', reason: 'invalid content-type header' });
    assert.deepEqual(receiver.requests, []);
  });

  it('counts an attempt ended by its caller as a plain retry', async () => {
    const controller = new AbortController();
    const pending = attempt('/hang', { signal: controller.signal });
    await until(() => receiver.requests.length === 1, 'the request');
    controller.abort();
    await expectOutcome(pending, { kind: 'retry', reason: 'aborted', overload: false });
  });

  it('leaves no listener on a caller signal that outlives its attempts', async () => {
    const worker = new AbortController();
    for (const path of ['/ok', '/gone', '/ok']) {
      await attempt(path, { signal: worker.signal });
    }
    assert.equal(getEventListeners(worker.signal, 'abort').length, 0);
  });

  it('refuses invalid options', async () => {
    await assert.rejects(attempt('/ok', { timeoutMs: 0 }), RangeError);
    await assert.rejects(attempt('/ok', { maxResponseBytes: -1 }), RangeError);
    await assert.rejects(attempt('/ok', { maxResponseBytes: 1.5 }), RangeError);
  });
});

describe('attemptDelivery over HTTPS', () => {
  let dir: string;
  let secure: TestReceiver;
  let dispatcher: SafeDispatcher;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-attempt-'));
    const certs = createTestCertificates(dir, { serverNames: ['hooks.test'] });
    const tls = {
      key: readFileSync(certs.serverKeyPath, 'utf8'),
      cert: readFileSync(certs.serverCertPath, 'utf8'),
    };
    secure = await startReceiver(
      (request, res) => {
        new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>);
        res.end('verified');
      },
      { tls },
    );
    dispatcher = new SafeDispatcher({
      policy: new AddressPolicy({ allow: ['127.0.0.0/8'] }),
      lookup,
      ca: [readFileSync(certs.caPath, 'utf8')],
    });
  });
  after(async () => {
    await dispatcher.close();
    await secure.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers to a name whose certificate a configured CA signed, via its resolved address', async () => {
    const outcome = await attemptDelivery(message(`https://hooks.test:${secure.port}/hook`), {
      dispatcher,
    });
    assert.deepEqual(outcome, { kind: 'delivered', status: 200, responseBody: 'verified' });
    assert.deepEqual(secure.servernames, ['hooks.test']);
    assert.deepEqual(secure.localAddresses, ['127.0.0.1']);
    assert.equal(secure.requests[0]?.headers['user-agent'], 'notify-gateway');
  });

  it('retries when the certificate does not name the host', async () => {
    // The same server, reached by its IP: the certificate names hooks.test only.
    const outcome = await attemptDelivery(message(`https://127.0.0.1:${secure.port}/hook`), {
      dispatcher,
    });
    assert.equal(outcome.kind, 'retry');
    assert.match(
      outcome.kind === 'retry' ? outcome.reason : '',
      /IP: 127\.0\.0\.1 is not in the cert's list/,
    );
  });
});
