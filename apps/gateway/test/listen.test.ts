// The main listener (reference/notify_push.md §1.1, §5.3): a Unix socket instead of TCP, TLS
// served directly, and the failures an operator can run into with either.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type ListenOptions, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  captureLogs,
  createTestCertificates,
  type TestCertificates,
  TestWebSocket,
} from '@gw/testkit';
import pino from 'pino';
import { listen, SocketInUseError, serverTls } from '../src/listen.js';
import { type Stack, startStack } from './stack.js';

const users = [{ uid: 'alice', password: 'alice-pw' }];

describe('listening on a Unix socket', () => {
  let stack: Stack;
  let dir: string;
  let socketPath: string;
  const logs = captureLogs();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-socket-'));
    socketPath = join(dir, 'push.sock');
    writeFileSync(socketPath, 'left over from a previous run');
    const certificates = createTestCertificates(dir);
    stack = await startStack({
      users,
      logger: logs.logger,
      config: { socketPath, socketPermissions: 0o600, tls: serverTlsFiles(certificates) },
    });
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces a stale socket file and gives the socket the configured mode', () => {
    assert.equal(stack.gateway.url, `unix:${socketPath}`);
    const stats = statSync(socketPath);
    assert.ok(stats.isSocket());
    assert.equal(stats.mode & 0o777, 0o600);
  });

  it('ignores TLS on the socket with a warning, as upstream', () => {
    assert.ok(logs.lines.some((line) => /TLS_CERT and TLS_KEY are ignored/.test(line.msg)));
  });

  it('serves clients there and forwards only the proxy-supplied address chain', async () => {
    const client = await TestWebSocket.open(`ws+unix:${socketPath}:/push/ws`, {
      headers: { 'X-Forwarded-For': '203.0.113.7' },
    });
    client.send('alice', 'alice-pw');
    assert.equal(await client.next(), 'authenticated');
    const check = stack.nextcloud.requests.findLast((request) => request.path.endsWith('/uid'));
    assert.equal(check?.forwardedFor, '203.0.113.7');
    await stack.nextcloud.writeFile('alice', 'files/a.txt', 'x');
    assert.equal(await client.next(3_000), 'notify_file');
    client.close();
  });
});

describe('Unix socket clean-up', () => {
  it('deletes the socket file on shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-socket-'));
    const socketPath = join(dir, 'push.sock');
    try {
      const stack = await startStack({ config: { socketPath } });
      assert.ok(statSync(socketPath).isSocket());
      await stack.close();
      assert.throws(() => statSync(socketPath), { code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serving TLS directly', () => {
  let stack: Stack;
  let dir: string;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    const certificates = createTestCertificates(dir);
    ca = readFileSync(certificates.caPath, 'utf8');
    stack = await startStack({ users, config: { tls: serverTlsFiles(certificates) } });
  });
  after(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts wss:// clients that trust the certificate', async () => {
    assert.match(stack.gateway.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const client = await TestWebSocket.open(`wss://127.0.0.1:${stack.gateway.port}/ws`, { ca });
    client.send('alice', 'alice-pw');
    assert.equal(await client.next(), 'authenticated');
    client.close();
  });

  it('serves the HTTP routes over TLS too', async () => {
    const response = await fetch(`https://127.0.0.1:${stack.gateway.port}/livez`).catch(
      (err: Error) => err,
    );
    // fetch does not take a CA; a certificate error proves TLS is spoken on the port.
    assert.ok(response instanceof Error);
    assert.match(String((response.cause as Error).message), /self[- ]signed|certificate/i);
  });
});

describe('start-up errors of the listener', () => {
  const logger = pino({ level: 'silent' });

  it('refuses to take over a socket another process serves', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-socket-'));
    const socketPath = join(dir, 'push.sock');
    const running = createServer();
    const second = createServer();
    try {
      const target = { socketPath, socketPermissions: 0o660 };
      await listen(running, target, { tls: false, logger });
      await assert.rejects(listen(second, target, { tls: false, logger }), SocketInUseError);
      assert.ok(statSync(socketPath).isSocket(), 'the running server keeps its socket');
    } finally {
      running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a port that is taken', async () => {
    const running = createServer();
    const { port } = await listen(running, { host: '127.0.0.1', port: 0 }, { tls: false, logger });
    try {
      await assert.rejects(
        listen(createServer(), { host: '127.0.0.1', port }, { tls: false, logger }),
        {
          code: 'EADDRINUSE',
        },
      );
    } finally {
      running.close();
    }
  });

  it('falls back to 0.0.0.0 when the host has no IPv6', async () => {
    const logs = captureLogs();
    const server = serverWithoutIpv6();
    try {
      const address = await listen(
        server,
        { host: '::', port: 0 },
        { tls: false, logger: logs.logger },
      );
      assert.match(address.url, /^http:\/\/0\.0\.0\.0:\d+$/);
      assert.ok(
        logs.lines.some((line) => line.msg === 'IPv6 is not available, listening on 0.0.0.0'),
      );
    } finally {
      server.close();
    }
  });

  it('names the TLS setting whose file cannot be read', async () => {
    await assert.rejects(
      serverTls(
        { certPath: '/nonexistent/cert.pem', keyPath: '/nonexistent/key.pem' },
        { host: '::', port: 7867 },
        logger,
      ),
      /Cannot read TLS_CERT \/nonexistent\/cert\.pem: ENOENT/,
    );
  });
});

/** A server on a host without IPv6: binding `::` fails the way the kernel reports it. */
function serverWithoutIpv6(): Server {
  const server = createServer();
  const listenForReal = server.listen.bind(server) as (
    options: ListenOptions,
    done: () => void,
  ) => Server;
  server.listen = ((options: ListenOptions, done: () => void) => {
    if (options.host !== '::') return listenForReal(options, done);
    const err = Object.assign(new Error('listen EAFNOSUPPORT: address family not supported'), {
      code: 'EAFNOSUPPORT',
    });
    process.nextTick(() => server.emit('error', err));
    return server;
  }) as Server['listen'];
  return server;
}

function serverTlsFiles(certificates: TestCertificates) {
  return { certPath: certificates.serverCertPath, keyPath: certificates.serverKeyPath };
}
