import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@gw/testkit';
import {
  InvalidAuthenticationMessageError,
  InvalidCredentialsError,
  NextcloudClient,
  type NextcloudClientOptions,
  NextcloudStatusError,
  NextcloudUnreachableError,
} from '../src/index.js';

const USER = 'alice@example.com';
const PASSWORD = 'pässwört:with colon';
/** Nextcloud answers the canonical uid; the gateway must keep it exactly, spaces included. */
const UID = ' alice ';
const UID_PATH = '/index.php/apps/notify_push/uid';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Plays Nextcloud: the first path segment picks the behaviour, the rest must be the uid route. */
const scenarios: Record<string, Handler> = {
  ok: (req, res) => {
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return void res.writeHead(401).end();
    res.end(UID);
  },
  forbidden: (_req, res) => res.writeHead(403).end('no'),
  broken: (_req, res) => res.writeHead(500).end('oops'),
  unknown: (_req, res) => res.writeHead(599).end(),
  found: (_req, res) => res.writeHead(302).end(),
  teapot: (_req, res) => res.writeHead(418).end(),
  'not-utf8': (_req, res) => res.end(Buffer.from([0x61, 0xff, 0xfe, 0x62])),
  empty: (_req, res) => res.end(),
  huge: (_req, res) => res.end('x'.repeat(64 * 1024)),
  hang: () => {},
  'same-origin': (_req, res) => res.writeHead(302, { location: `/ok${UID_PATH}` }).end(),
};

interface FakeNextcloud {
  url: string;
  requests: http.IncomingHttpHeaders[];
  connections: number;
  close(): Promise<void>;
}

async function startNextcloud(
  create: (handler: http.RequestListener) => http.Server = (handler) => http.createServer(handler),
  protocol = 'http',
): Promise<FakeNextcloud> {
  const sockets = new Set<Socket>();
  const fake: FakeNextcloud = {
    url: '',
    requests: [],
    connections: 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server = create((req, res) => {
    fake.requests.push(req.headers);
    const [, scenario = '', ...rest] = (req.url ?? '').split('/');
    const handler = scenarios[scenario];
    if (handler === undefined || `/${rest.join('/')}` !== UID_PATH) {
      return void res.writeHead(404).end();
    }
    handler(req, res);
  });
  server.on('connection', (socket: Socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

describe('NextcloudClient', () => {
  let nextcloud: FakeNextcloud;
  const clients: NextcloudClient[] = [];
  const client = (scenario: string, options: Partial<NextcloudClientOptions> = {}) => {
    const created = new NextcloudClient({ baseUrl: `${nextcloud.url}/${scenario}/`, ...options });
    clients.push(created);
    return created;
  };
  const lastRequest = () => nextcloud.requests.at(-1) ?? {};

  before(async () => {
    nextcloud = await startNextcloud();
  });
  after(async () => {
    await Promise.all(clients.map((created) => created.close()));
    await nextcloud.close();
  });

  it('resolves the untrimmed body of a 200 as the uid, sending Basic auth in UTF-8', async () => {
    assert.equal(await client('ok').getUid(USER, PASSWORD, ['203.0.113.7']), UID);
  });

  it('joins forwarded addresses with ", " and sends no User-Agent unless configured', async () => {
    await client('ok').getUid(USER, PASSWORD, ['203.0.113.7', '10.0.0.2', '::1']);
    assert.equal(lastRequest()['x-forwarded-for'], '203.0.113.7, 10.0.0.2, ::1');
    assert.equal(lastRequest()['user-agent'], undefined);
    await client('ok', { userAgent: 'notify-gateway/0.1' }).getUid(USER, PASSWORD, []);
    assert.equal(lastRequest()['user-agent'], 'notify-gateway/0.1');
  });

  it('sends X-Forwarded-For even when the list is empty', async () => {
    await client('ok').getUid(USER, PASSWORD, []);
    assert.equal(lastRequest()['x-forwarded-for'], '');
  });

  it('adds the missing final slash of a sub-path base URL', async () => {
    const created = new NextcloudClient({ baseUrl: `${nextcloud.url}/ok` });
    clients.push(created);
    assert.equal(await created.getUid(USER, PASSWORD, []), UID);
  });

  it('refuses a base URL that is not absolute http(s)', () => {
    for (const baseUrl of ['cloud.example.com/', 'ftp://cloud.example.com/']) {
      assert.throws(() => new NextcloudClient({ baseUrl }), TypeError);
    }
  });

  it('keeps connections alive across consecutive checks', async () => {
    const created = client('ok');
    const before = nextcloud.connections;
    for (let i = 0; i < 10; i++) await created.getUid(USER, PASSWORD, []);
    // undici may open a second socket while the first is being returned to its pool.
    assert.ok(nextcloud.connections - before <= 2, `${nextcloud.connections - before} connections`);
  });

  const failures: [string, new (...args: never[]) => Error, string][] = [
    ['ok', InvalidCredentialsError, 'Invalid credentials'],
    ['not-utf8', InvalidAuthenticationMessageError, 'Invalid authentication message'],
    ['empty', InvalidAuthenticationMessageError, 'Invalid authentication message'],
    ['huge', InvalidAuthenticationMessageError, 'Invalid authentication message'],
    [
      'forbidden',
      NextcloudStatusError,
      'Error while sending authentication request to nextcloud: Client error: 403 Forbidden',
    ],
    [
      'teapot',
      NextcloudStatusError,
      "Error while sending authentication request to nextcloud: Client error: 418 I'm a Teapot",
    ],
    [
      'broken',
      NextcloudStatusError,
      'Error while sending authentication request to nextcloud: Server error: 500 Internal Server Error',
    ],
    [
      'found',
      NextcloudStatusError,
      'Error while sending authentication request to nextcloud: Unexpected status code: 302 Found',
    ],
    [
      'unknown',
      NextcloudStatusError,
      'Error while sending authentication request to nextcloud: Server error: 599 <unknown status code>',
    ],
  ];
  for (const [scenario, type, message] of failures) {
    it(`rejects with "${message}" when Nextcloud answers like "${scenario}"`, async () => {
      const password = scenario === 'ok' ? 'wrong password' : PASSWORD;
      await assert.rejects(client(scenario).getUid(USER, password, []), (err: unknown) => {
        assert.ok(err instanceof type);
        assert.equal((err as Error).message, message);
        assert.ok(!(err as Error).message.includes(password));
        return true;
      });
    });
  }

  it('follows a same-origin redirect with the credentials', async () => {
    assert.equal(await client('same-origin').getUid(USER, PASSWORD, []), UID);
  });

  it('drops the credentials when a redirect leaves the origin', async () => {
    const elsewhere = await startNextcloud();
    try {
      scenarios['cross-origin'] = (_req, res) =>
        res.writeHead(307, { location: `${elsewhere.url}/ok${UID_PATH}` }).end();
      await assert.rejects(
        client('cross-origin').getUid(USER, PASSWORD, []),
        InvalidCredentialsError,
      );
      assert.equal(elsewhere.requests.length, 1);
      assert.equal(elsewhere.requests[0]?.authorization, undefined);
    } finally {
      delete scenarios['cross-origin'];
      await elsewhere.close();
    }
  });

  it('reports a refused connection as "Error while connecting to nextcloud"', async () => {
    const port = await freePort();
    const created = new NextcloudClient({ baseUrl: `http://127.0.0.1:${port}/` });
    clients.push(created);
    await assert.rejects(created.getUid(USER, PASSWORD, []), (err: unknown) => {
      assert.ok(err instanceof NextcloudUnreachableError);
      assert.match(
        err.message,
        /^Error while sending authentication request to nextcloud: Error while connecting to nextcloud: .*ECONNREFUSED/,
      );
      return true;
    });
  });

  it('gives up on a Nextcloud that never answers after timeoutMs, and says so', async () => {
    const started = Date.now();
    await assert.rejects(
      client('hang', { timeoutMs: 300 }).getUid(USER, PASSWORD, []),
      new NextcloudUnreachableError('request timed out after 300ms'),
    );
    assert.ok(Date.now() - started < 1_500);
    await assert.rejects(client('hang', { timeoutMs: 1_000 }).getUid(USER, PASSWORD, []), {
      message:
        'Error while sending authentication request to nextcloud: Error while connecting to nextcloud: request timed out after 1s',
    });
  });
});

describe('NextcloudClient over HTTPS with a self-signed certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ngw-nc-tls-'));
  let openssl: string | false = false;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    openssl = 'openssl is not available to generate a self-signed certificate';
  }
  let nextcloud: FakeNextcloud;

  before(async () => {
    if (openssl) return;
    const tls = {
      key: readFileSync(join(dir, 'key.pem')),
      cert: readFileSync(join(dir, 'cert.pem')),
    };
    nextcloud = await startNextcloud((handler) => https.createServer(tls, handler), 'https');
  });
  after(async () => {
    await nextcloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the certificate by default', { skip: openssl }, async () => {
    const client = new NextcloudClient({ baseUrl: `${nextcloud.url}/ok/` });
    await assert.rejects(client.getUid(USER, PASSWORD, []), (err: unknown) => {
      assert.ok(err instanceof NextcloudUnreachableError);
      assert.match(err.message, /self[- ]signed certificate/);
      return true;
    });
    await client.close();
  });

  it('accepts it with allowSelfSigned', { skip: openssl }, async () => {
    const client = new NextcloudClient({ baseUrl: `${nextcloud.url}/ok/`, allowSelfSigned: true });
    assert.equal(await client.getUid(USER, PASSWORD, []), UID);
    await client.close();
  });
});
