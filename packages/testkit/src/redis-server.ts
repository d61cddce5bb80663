import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { RedisOptions } from 'ioredis';
import { createTestCertificates, type TestCertificates } from './test-certificates.js';

export interface RedisServerOptions {
  /**
   * Serve TLS only (no plain TCP), with a fresh CA, server and client certificate in the server's
   * directory. @defaultValue undefined (plain TCP)
   */
  tls?: {
    /** Names in the server certificate. @defaultValue ['localhost', '127.0.0.1'] */
    serverNames?: readonly string[];
    /**
     * Refuse clients without a certificate from the CA (`--tls-auth-clients yes`).
     * @defaultValue false
     */
    authClients?: boolean;
  };
  /** Also listen on a Unix socket in the server's directory. @defaultValue false */
  unixSocket?: boolean;
  /** More redis-server arguments, e.g. for cluster mode. @defaultValue [] */
  args?: readonly string[];
}

/** A private redis-server on a free loopback port, for tests that kill and restart Redis. */
export interface RedisServerProcess {
  port: number;
  /** `redis://127.0.0.1:PORT`, or `rediss://127.0.0.1:PORT` with TLS. */
  url: string;
  /** ioredis options for a test client: the address, and with TLS the CA and client certificate. */
  options: RedisOptions;
  /** The Unix socket, when asked for. */
  socketPath: string | undefined;
  /** The TLS certificates, with TLS. */
  certificates: TestCertificates | undefined;
  /** Starts it again on the same port (after `kill` or `stop`). */
  start(): Promise<void>;
  /** SIGKILL: the server vanishes without closing its connections cleanly. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

/** Directories (sockets, certificates) of the servers this process started; gone when it exits. */
const directories = new Set<string>();

function serverDirectory(): string {
  if (directories.size === 0) {
    process.once('exit', () => {
      for (const dir of directories) rmSync(dir, { recursive: true, force: true });
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'gw-redis-'));
  directories.add(dir);
  return dir;
}

export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerProcess> {
  const port = await freePort();
  const needsDir = options.tls !== undefined || options.unixSocket === true;
  // Kept across stop() and start(), so a restarted server has the same socket and certificates.
  const dir = needsDir ? serverDirectory() : undefined;
  const socketPath = dir && options.unixSocket ? join(dir, 'redis.sock') : undefined;
  const certificates = dir && options.tls ? createTestCertificates(dir, options.tls) : undefined;
  const clientTls = certificates && {
    ca: readFileSync(certificates.caPath),
    cert: readFileSync(certificates.clientCertPath),
    key: readFileSync(certificates.clientKeyPath),
  };
  // Test clients connect to 127.0.0.1 but check the certificate against the name it was made for.
  const serverName = options.tls?.serverNames?.[0] ?? 'localhost';
  const checkedAs = net.isIP(serverName) === 0 ? { servername: serverName } : {};
  const args = [
    // ::1 too (if the machine has it), so clients that resolve localhost to ::1 get through.
    ...['--bind', '127.0.0.1', '-::1', '--save', '', '--appendonly', 'no'],
    ...(certificates
      ? [
          ...['--port', '0', '--tls-port', String(port)],
          ...['--tls-cert-file', certificates.serverCertPath],
          ...['--tls-key-file', certificates.serverKeyPath],
          ...['--tls-ca-cert-file', certificates.caPath],
          ...['--tls-auth-clients', options.tls?.authClients ? 'yes' : 'no'],
        ]
      : ['--port', String(port)]),
    ...(socketPath ? ['--unixsocket', socketPath, '--unixsocketperm', '700'] : []),
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitUntilServing(port, clientTls);
  };
  const signal = async (sig: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(sig);
    await exited;
  };

  await start();
  return {
    port,
    url: `${clientTls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    options: {
      host: '127.0.0.1',
      port,
      ...(clientTls ? { tls: { ...clientTls, ...checkedAs } } : {}),
    },
    socketPath,
    certificates,
    start,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

type ClientTls = Pick<tls.ConnectionOptions, 'ca' | 'cert' | 'key'>;

async function waitUntilServing(port: number, clientTls?: ClientTls, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersPing(port, clientTls)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms`);
}

function answersPing(port: number, clientTls?: ClientTls): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = clientTls
      ? tls.connect({ host: '127.0.0.1', port, ...clientTls, rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once(clientTls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
