import { once } from 'node:events';
import { chmod, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from '@gw/config';
import type { Logger } from 'pino';

export interface MetricsServerOptions {
  /** `metricsSocketPath` wins over `metricsPort`; `bind`, `socketPermissions` and `tls` apply. */
  config: Pick<Config, 'metricsPort' | 'metricsSocketPath' | 'bind' | 'socketPermissions' | 'tls'>;
  /** The `/metrics` body and its content type, built on every scrape. */
  render(): Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

export interface MetricsServer {
  /** `http(s)://host:port` for TCP, the socket path for a Unix socket. */
  readonly address: string;
  close(): Promise<void>;
}

/**
 * The separate metrics listener of upstream (reference/notify_push.md §6.3): `/metrics` only,
 * any method, on `METRICS_SOCKET_PATH` or `METRICS_PORT` with the main listener's bind address
 * and TLS. Returns undefined when neither is configured.
 */
export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<MetricsServer | undefined> {
  const { config } = options;
  if (config.metricsSocketPath === undefined && config.metricsPort === undefined) return undefined;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) =>
    void serve(req, res, options);
  const server = config.tls
    ? https.createServer(await tlsFiles(config.tls), handler)
    : http.createServer(handler);
  const close = async () => {
    if (!server.listening) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  };
  try {
    return { address: await listen(server, options), close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function serve(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  { render, logger }: MetricsServerOptions,
): Promise<void> {
  if (new URL(req.url ?? '/', 'http://metrics.invalid').pathname !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  try {
    const { contentType, body } = await render();
    res.writeHead(200, { 'content-type': contentType }).end(body);
  } catch (err) {
    logger.error({ err }, 'could not render the metrics');
    res.writeHead(500).end();
  }
}

async function listen(server: http.Server, { config, logger }: MetricsServerOptions) {
  const path = config.metricsSocketPath;
  if (path !== undefined) {
    // A socket file left by a previous run would make listen fail; upstream removes it too.
    await rm(path, { force: true });
    await listening(server, { path });
    await chmod(path, config.socketPermissions);
    return path;
  }
  const port = config.metricsPort ?? 0;
  try {
    await listening(server, { host: config.bind, port });
  } catch (err) {
    if (config.bind !== '::' || (err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw err;
    logger.warn('IPv6 is not available, serving metrics on 0.0.0.0');
    await listening(server, { host: '0.0.0.0', port });
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${config.tls ? 'https' : 'http'}://${host}:${address.port}`;
}

async function listening(
  server: http.Server,
  at: { path: string } | { host: string; port: number },
): Promise<void> {
  server.listen(at);
  await once(server, 'listening');
}

async function tlsFiles(tls: { certPath: string; keyPath: string }) {
  const [cert, key] = await Promise.all([readFile(tls.certPath), readFile(tls.keyPath)]);
  return { cert, key };
}
