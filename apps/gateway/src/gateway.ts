import type { AddressInfo } from 'node:net';
import fastifyWebsocket from '@fastify/websocket';
import type { Config, RedisTarget } from '@gw/config';
import { type LegacyPushOptions, LegacyPushService, legacyPushRoutes } from '@gw/delivery-legacy';
import type { NotifyChannel } from '@gw/events';
import { RedisIngest } from '@gw/ingest';
import { NextcloudClient, openNextcloudDatabase, StorageMapping } from '@gw/nextcloud';
import { Normalizer, USER_FACING_CHANNELS } from '@gw/normalizer';
import Fastify, { LogController } from 'fastify';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { createEventRouter, type EventRouter } from './event-router.js';

/** Largest WebSocket frame a client may send: two credentials or a `listen` command. */
const MAX_FRAME_BYTES = 16 * 1024;

const SUBSCRIBED_CHANNELS: readonly NotifyChannel[] = [
  ...USER_FACING_CHANNELS,
  'notify_pre_auth',
  'notify_signal',
];

export interface GatewayOverrides {
  /** Tuning the tests shrink (timeouts, intervals); production uses the defaults. */
  legacy?: Partial<Omit<LegacyPushOptions, 'verifyCredentials' | 'logger'>>;
  /** Timeout of the credential check against Nextcloud. @defaultValue 10_000 */
  nextcloudTimeoutMs?: number;
}

export interface Gateway {
  /** Where the server listens, e.g. `http://[::1]:7867`. */
  readonly url: string;
  readonly port: number;
  readonly legacy: LegacyPushService;
  readonly ingest: RedisIngest;
  readonly mapping: StorageMapping;
  readonly router: EventRouter;
  /** Stops accepting, closes client sockets with 1001, releases Redis and the database. */
  close(): Promise<void>;
}

/** The composition root: builds every part from the configuration and starts listening. */
export async function startGateway(
  config: Config,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<Gateway> {
  const database = openNextcloudDatabase(config.databaseUrl, {
    prefix: config.databasePrefix,
    logger: logger.child({ component: 'database' }),
  });
  const mapping = new StorageMapping({ database, logger: logger.child({ component: 'mapping' }) });
  const nextcloud = new NextcloudClient({
    baseUrl: config.nextcloudUrl,
    allowSelfSigned: config.allowSelfSigned,
    userAgent: config.userAgent,
    timeoutMs: overrides.nextcloudTimeoutMs,
  });
  const legacy = new LegacyPushService({
    ...overrides.legacy,
    verifyCredentials: (user, password, forwardedFor) =>
      nextcloud.getUid(user, password, forwardedFor),
    logger: logger.child({ component: 'legacy' }),
    maxDebounceTime: config.maxDebounceTime,
    debounceDisabled: config.debounceDisable,
    maxConnectionTimeMs: config.maxConnectionTime * 1000,
  });
  const router = createEventRouter(
    new Normalizer({ mapping }),
    legacy,
    logger.child({ component: 'router' }),
  );
  const ingest = new RedisIngest({
    redis: redisOptions(config.redis),
    channels: SUBSCRIBED_CHANNELS,
    onEvent: router.route,
    logger: logger.child({ component: 'ingest' }),
  });

  const app = Fastify({
    loggerInstance: logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  const close = async () => {
    await legacy.close();
    await app.close();
    await Promise.allSettled([ingest.close(), database.close(), nextcloud.close()]);
  };
  try {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
      // Oversized or malformed frames are the client's mistake: ws already closes the socket
      // with the right code (1009, 1007), so this is not worth an error line.
      errorHandler: (err) => logger.debug({ err }, 'closed a WebSocket after a protocol error'),
    });
    await app.register(legacyPushRoutes, { service: legacy });
    await ingest.start();
    const address = await listen(app, config, logger);
    return { ...address, legacy, ingest, mapping, router, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Listens on BIND:PORT; `::` falls back to `0.0.0.0` on hosts without IPv6, as upstream does. */
async function listen(
  app: ReturnType<typeof Fastify>,
  config: Config,
  logger: Logger,
): Promise<{ url: string; port: number }> {
  try {
    await app.listen({ host: config.bind, port: config.port });
  } catch (err) {
    if (config.bind !== '::' || (err as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw err;
    logger.warn('IPv6 is not available, listening on 0.0.0.0');
    await app.listen({ host: '0.0.0.0', port: config.port });
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { url: `http://${host}:${address.port}`, port: address.port };
}

/** ioredis wants TLS options, not a flag: `rediss://` means TLS with the system's CAs. */
function redisOptions({ tls, ...target }: RedisTarget): RedisOptions {
  return tls ? { ...target, tls: {} } : target;
}
