import { chmod, readFile, rm } from 'node:fs/promises';
import { type AddressInfo, connect, type Server } from 'node:net';
import type { Logger } from 'pino';

/** Where a server listens: a Unix socket, or an IP address and port. */
export type ListenTarget =
  | { socketPath: string; socketPermissions: number }
  | { host: string; port: number };

export interface ListenAddress {
  /** `http(s)://host:port`, or `unix:` followed by the socket path. */
  readonly url: string;
  /** The TCP port; 0 on a Unix socket. */
  readonly port: number;
}

/** How binding `::` fails on a host without IPv6, or with IPv6 switched off. */
const NO_IPV6: ReadonlySet<string> = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL']);

/** Another process already serves the socket path; removing its file would cut it off. */
export class SocketInUseError extends Error {
  readonly code = 'SOCKET_IN_USE';
  constructor(path: string) {
    super(`${path} is in use by another process (is the gateway already running?)`);
    this.name = 'SocketInUseError';
  }
}

/**
 * Starts `server` listening, as upstream does (reference/notify_push.md §1.1, §5.3): a Unix socket
 * replaces a stale file left by a previous run and gets `socketPermissions`; the IPv6 wildcard
 * `::` falls back to `0.0.0.0` on hosts without IPv6. Node removes the socket file on close.
 */
export async function listen(
  server: Server,
  target: ListenTarget,
  { tls, logger }: { tls: boolean; logger: Logger },
): Promise<ListenAddress> {
  if ('socketPath' in target) {
    await removeStaleSocket(target.socketPath);
    await listening(server, { path: target.socketPath });
    await chmod(target.socketPath, target.socketPermissions);
    return { url: `unix:${target.socketPath}`, port: 0 };
  }
  try {
    await listening(server, target);
  } catch (err) {
    if (target.host !== '::' || !NO_IPV6.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    logger.warn('IPv6 is not available, listening on 0.0.0.0');
    await listening(server, { host: '0.0.0.0', port: target.port });
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `${tls ? 'https' : 'http'}://${host}:${address.port}`, port: address.port };
}

/**
 * The certificate and key to serve TLS with, read once at start-up; undefined without TLS, and on a
 * Unix socket, where upstream ignores TLS with a warning (the proxy in front terminates it).
 */
export async function serverTls(
  tls: { certPath: string; keyPath: string } | undefined,
  target: ListenTarget,
  logger: Logger,
): Promise<{ cert: Buffer; key: Buffer } | undefined> {
  if (tls === undefined) return undefined;
  if ('socketPath' in target) {
    logger.warn(`TLS_CERT and TLS_KEY are ignored on the Unix socket ${target.socketPath}`);
    return undefined;
  }
  const read = (path: string, setting: string) =>
    readFile(path).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`Cannot read ${setting} ${path}: ${err.code ?? err.message}`);
    });
  const [cert, key] = await Promise.all([
    read(tls.certPath, 'TLS_CERT'),
    read(tls.keyPath, 'TLS_KEY'),
  ]);
  return { cert, key };
}

function listening(server: Server, at: { path: string } | { host: string; port: number }) {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Deletes a socket file nobody answers on; refuses to take over one that is served. */
async function removeStaleSocket(path: string): Promise<void> {
  const served = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (served) throw new SocketInUseError(path);
  await rm(path, { force: true });
}
