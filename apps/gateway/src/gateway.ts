import fastifyWebsocket from '@fastify/websocket';
import type { Config } from '@gw/config';
import { type LegacyPushOptions, LegacyPushService, legacyPushRoutes } from '@gw/delivery-legacy';
import { SYNC_CHANNEL, solidRoutes, storageDescriptionLink } from '@gw/delivery-solid';
import type { NotifyChannel } from '@gw/events';
import { RedisIngest } from '@gw/ingest';
import { NextcloudClient, openNextcloudDatabase, StorageMapping } from '@gw/nextcloud';
import { Normalizer, USER_FACING_CHANNELS } from '@gw/normalizer';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { adminDashboard } from './admin-dashboard.js';
import { ControlChannels } from './control-channels.js';
import { createEventRouter, type EventRouter } from './event-router.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { healthRoutes } from './health-routes.js';
import { type ListenTarget, listen, serverTls } from './listen.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { RedisCommands } from './redis-commands.js';
import { redisConnection } from './redis-connection.js';
import { selfTestRoutes } from './self-test-routes.js';
import { createSolidDelivery, type SolidDelivery, type SolidTuning } from './solid-delivery.js';
import { runStartupSelfTest } from './startup-self-test.js';
import { upstreamMetrics } from './upstream-metrics.js';
import { NOTIFY_PUSH_VERSION } from './version.js';

/** Largest WebSocket frame a client may send: two credentials or a `listen` command. */
const MAX_FRAME_BYTES = 16 * 1024;

const SUBSCRIBED_CHANNELS: readonly NotifyChannel[] = [
  ...USER_FACING_CHANNELS,
  'notify_pre_auth',
  'notify_signal',
  'notify_test_cookie',
  'notify_config',
  'notify_query',
];

export interface GatewayOverrides {
  /** Tuning the tests shrink (timeouts, intervals); production uses the defaults. */
  legacy?: Partial<Omit<LegacyPushOptions, 'verifyCredentials' | 'logger'>>;
  /** Timeout of the credential check against Nextcloud. @defaultValue 10_000 */
  nextcloudTimeoutMs?: number;
  /** Longest wait for the database's answer in `/readyz`. @defaultValue 1_000 */
  readinessTimeoutMs?: number;
  /** Solid timings the tests shrink: the expiry sweep and the receivers' pings. */
  solid?: SolidTuning;
}

export interface Gateway {
  /** Where the server listens, e.g. `http://[::1]:7867`, or `unix:/run/notify-gateway.sock`. */
  readonly url: string;
  /** The TCP port; 0 on a Unix socket. */
  readonly port: number;
  readonly legacy: LegacyPushService;
  readonly ingest: RedisIngest;
  readonly mapping: StorageMapping;
  readonly router: EventRouter;
  /** Solid Notifications; undefined when no PostgreSQL holds its channels. */
  readonly solid: SolidDelivery['solid'] | undefined;
  /** Where `/metrics` is served (`http://host:port` or a socket path); undefined when off. */
  readonly metricsAddress: string | undefined;
  /** Stops accepting, closes client sockets with 1001, releases Redis and the database. */
  close(): Promise<void>;
}

/** The composition root: builds every part from the configuration and starts listening. */
export async function startGateway(
  config: Config,
  logger: Logger,
  overrides: GatewayOverrides = {},
): Promise<Gateway> {
  // First, so a bad certificate stops start-up before any connection is opened.
  const target = listenTarget(config);
  const tls = await serverTls(config.tls, target, logger);
  const redis = redisConnection(config.redis);
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
  const commands = new RedisCommands({
    redis: redis.commands,
    logger: logger.child({ component: 'redis' }),
  });
  const control = new ControlChannels({
    logger,
    redis: commands,
    metrics: () => upstreamMetrics({ legacy, mapping, ingest }),
  });
  const legacy = new LegacyPushService({
    ...overrides.legacy,
    unixSocket: 'socketPath' in target,
    verifyCredentials: (user, password, forwardedFor): Promise<string> =>
      metrics.timeHandshake(nextcloud.getUid(user, password, forwardedFor)),
    logger: logger.child({ component: 'legacy' }),
    maxDebounceTime: config.maxDebounceTime,
    debounceDisabled: config.debounceDisable,
    maxConnectionTimeMs: config.maxConnectionTime * 1000,
  });
  const solid =
    config.solid === undefined
      ? undefined
      : createSolidDelivery({
          config: config.solid,
          database,
          mapping,
          nextcloud,
          redis: commands,
          redisTarget: redis.commands,
          logger: logger.child({ component: 'solid' }),
          unixSocket: 'socketPath' in target,
          tuning: overrides.solid,
          onWebhookDelivered: (ms) => metrics.observeWebhookDelivery(ms),
        });
  const router = createEventRouter(
    new Normalizer({ mapping }),
    legacy,
    logger.child({ component: 'router' }),
    control,
    solid?.sinks,
  );
  const ingest = new RedisIngest({
    nodes: redis.subscriber,
    channels: solid === undefined ? SUBSCRIBED_CHANNELS : [...SUBSCRIBED_CHANNELS, SYNC_CHANNEL],
    onEvent: router.route,
    onSubscribed: () => solid?.resubscribed(),
    logger: logger.child({ component: 'ingest' }),
  });
  const metrics = new GatewayMetrics({
    ingest,
    mapping,
    legacy,
    solid: solid?.solid,
    webhooks:
      solid === undefined
        ? undefined
        : { stats: solid.webhookStats, counts: () => solid.webhookQueue.counts() },
  });
  let metricsServer: MetricsServer | undefined;
  let shuttingDown = false;

  const app = Fastify({
    ...(tls ? { https: tls } : {}),
    loggerInstance: logger.child({ component: 'http' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  const close = async () => {
    shuttingDown = true;
    await legacy.close();
    await solid?.closeSockets();
    await Promise.all([app.close(), metricsServer?.close()]);
    await Promise.allSettled([
      ingest.close(),
      commands.close(),
      database.close(),
      nextcloud.close(),
      solid?.close(),
    ]);
  };
  try {
    await app.register(fastifyWebsocket, {
      options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
      // Oversized or malformed frames are the client's mistake: ws already closes the socket
      // with the right code (1009, 1007), so this is not worth an error line.
      errorHandler: (err) => logger.debug({ err }, 'closed a WebSocket after a protocol error'),
    });
    await app.register(legacyPushRoutes, { service: legacy });
    await app.register(selfTestRoutes, {
      redis: commands,
      nextcloud,
      mapping,
      testCookie: () => control.testCookie,
      version: NOTIFY_PUSH_VERSION,
      logger: logger.child({ component: 'self-test' }),
    });
    if (solid !== undefined) {
      await app.register(storageDescriptionLink, { publicUrl: solid.routes.publicUrl });
      await app.register(solidRoutes, solid.routes);
      if (config.adminPassword !== undefined) {
        await app.register(adminDashboard, {
          queue: solid.webhookQueue.bullQueue,
          password: config.adminPassword,
          publicUrl: solid.routes.publicUrl,
        });
      }
    }
    await app.register(healthRoutes, {
      ingest,
      database,
      channelStore: solid?.store,
      shuttingDown: () => shuttingDown,
      databaseTimeoutMs: overrides.readinessTimeoutMs,
    });
    await solid?.start();
    await ingest.start();
    await app.ready();
    const address = await listen(app.server, target, { tls: tls !== undefined, logger });
    metricsServer = await startMetricsServer({
      config,
      render: () => metrics.render(),
      logger: logger.child({ component: 'metrics' }),
    });
    void runStartupSelfTest({
      database,
      redis: commands,
      nextcloud,
      version: NOTIFY_PUSH_VERSION,
      logger: logger.child({ component: 'self-test' }),
    });
    const metricsAddress = metricsServer?.address;
    return {
      ...address,
      legacy,
      ingest,
      mapping,
      router,
      solid: solid?.solid,
      metricsAddress,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** SOCKET_PATH replaces BIND and PORT, as upstream. */
function listenTarget(config: Config): ListenTarget {
  return config.socketPath === undefined
    ? { host: config.bind, port: config.port }
    : { socketPath: config.socketPath, socketPermissions: config.socketPermissions };
}
