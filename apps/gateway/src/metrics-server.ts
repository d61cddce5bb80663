import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { Config } from '@gw/config';
import type { Logger } from 'pino';
import { type ListenTarget, listen, serverTls } from './listen.js';

export interface MetricsServerOptions {
  /** `metricsSocketPath` wins over `metricsPort`; `bind`, `socketPermissions` and `tls` apply. */
  config: Pick<Config, 'metricsPort' | 'metricsSocketPath' | 'bind' | 'socketPermissions' | 'tls'>;
  /** The `/metrics` body and its content type, built on every scrape. */
  render(): Promise<{ contentType: string; body: string }>;
  logger: Logger;
}

export interface MetricsServer {
  /** `http(s)://host:port` for TCP, `unix:` and the socket path for a Unix socket. */
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
  const target: ListenTarget =
    config.metricsSocketPath === undefined
      ? { host: config.bind, port: config.metricsPort ?? 0 }
      : { socketPath: config.metricsSocketPath, socketPermissions: config.socketPermissions };
  const tls = await serverTls(config.tls, target, options.logger);
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  const close = async () => {
    if (!server.listening) return;
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  };
  try {
    const { url } = await listen(server, target, {
      tls: tls !== undefined,
      logger: options.logger,
    });
    return { address: url, close };
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
