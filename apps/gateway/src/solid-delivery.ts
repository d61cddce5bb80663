import { setTimeout as sleep } from 'node:timers/promises';
import type { SolidConfig } from '@gw/config';
import { forwardedForChain } from '@gw/delivery-legacy';
import {
  BasicAuthenticator,
  ChannelStore,
  defaultWebIdTemplates,
  RedisReplayGuard,
  RequestAuthenticator,
  SolidNotifications,
  type SolidNotificationsOptions,
  SolidOidcVerifier,
  type SolidRoutesOptions,
  SYNC_CHANNEL,
  WebhookSender,
  WebIdRule,
} from '@gw/delivery-solid';
import type { RedisTarget, WebhookWorker } from '@gw/delivery-webhook';
import { ResourceUrls } from '@gw/events';
import {
  InvalidCredentialsError,
  type NextcloudClient,
  type NextcloudDatabase,
  type StorageMapping,
} from '@gw/nextcloud';
import { ResourceResolver, ResourceTracker, UserMounts } from '@gw/normalizer';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ResourceSinks } from './event-router.js';
import type { RedisCommands } from './redis-commands.js';
import {
  createWebhookDelivery,
  type WebhookChannels,
  type WebhookTuning,
} from './webhook-delivery.js';

export interface SolidDeliveryOptions {
  config: SolidConfig;
  database: NextcloudDatabase;
  mapping: StorageMapping;
  nextcloud: NextcloudClient;
  redis: RedisCommands;
  /** Where the webhook queue lives: the same Redis, as ioredis options or a cluster. */
  redisTarget: RedisTarget;
  logger: Logger;
  /** Whether the listener is a Unix socket: then the TCP peer is no client address. */
  unixSocket: boolean;
  /** Timings the tests shrink; production uses the defaults. */
  tuning?: SolidTuning;
  /** For the webhook latency metric. */
  onWebhookDelivered?: (latencyMs: number) => void;
}

/** The expiry sweep, the receivers' pings and the webhook timers, too slow for a test. */
export type SolidTuning = Pick<SolidNotificationsOptions, 'sweepIntervalMs' | 'sockets'> & {
  webhooks?: WebhookTuning;
};

/** How long a failed start (channel store unreachable) waits before the next attempt. */
const RETRY_MS = 5_000;
/**
 * How long start-up waits for the channel store and the fileid watermark. Both answer in
 * milliseconds when the databases are up; when one hangs, the gateway must still start and serve
 * notify_push clients (Solid answers 503 until the store is loaded).
 */
const START_WAIT_MS = 1_000;

/**
 * The Solid Notifications side, wired: resource tracking from storage updates, the channel
 * store and index, authentication, and the HTTP routes.
 */
export function createSolidDelivery(options: SolidDeliveryOptions) {
  const { config, database, mapping, logger } = options;
  const urls = new ResourceUrls(config.nextcloudUrl);
  const store = new ChannelStore({ url: config.databaseUrl, logger });
  const mounts = new UserMounts({ database });
  const tracker: ResourceTracker = new ResourceTracker({
    mapping,
    files: database,
    urls,
    interested: (users: readonly string[]): boolean => solid.interested(users),
  });
  const resolver = new ResourceResolver({ files: database, mounts, urls, memory: tracker.memory });
  const sender = new WebhookSender({ publicUrl: config.publicUrl, store });
  const webhooks = createWebhookDelivery({
    config: config.webhooks,
    redis: options.redisTarget,
    logger: logger.child({ component: 'webhooks' }),
    sender,
    tuning: options.tuning?.webhooks,
    onDelivered: options.onWebhookDelivered,
  });
  let worker: WebhookWorker | undefined;
  const solid: SolidNotifications = new SolidNotifications({
    publicUrl: config.publicUrl,
    urls,
    store,
    publish: (message) => options.redis.publish(SYNC_CHANNEL, JSON.stringify(message)),
    resources: { current: (url) => resolver.current(url), watch: (list) => resolver.watch(list) },
    logger,
    maxDurationMs: config.maxChannelDuration * 1000,
    quota: config.channelQuota,
    webhooks: webhooks.solidOptions,
    sweepIntervalMs: options.tuning?.sweepIntervalMs,
    sockets: options.tuning?.sockets,
  });
  const authenticator = new RequestAuthenticator({
    basic: new BasicAuthenticator({ verify: checkPassword(options.nextcloud) }),
    solidOidc: solidOidc(options),
  });
  let started = false;
  let retry: NodeJS.Timeout | undefined;

  const start = async (): Promise<void> => {
    try {
      await solid.start();
      started = true;
      // Only now: before the channels are loaded, every job would look like a deleted channel's.
      if (config.webhooks.worker) worker = webhooks.startWorker(channelsOf(solid));
    } catch (err) {
      logger.warn({ err }, `cannot use the channel store, retrying in ${RETRY_MS / 1000} s`);
      retry = setTimeout(() => void start(), RETRY_MS);
      retry.unref();
    }
  };

  const sinks: ResourceSinks = {
    storageUpdate(update, receivedAt) {
      const storageUpdate = {
        storageId: update.storage,
        path: update.path,
        fileId: update.file_id,
      };
      tracker.track(storageUpdate, receivedAt).then(
        (events) => {
          for (const event of events) solid.deliver(event);
        },
        (err: unknown) =>
          logger.warn(
            { err, storage: update.storage },
            'cannot tell what a storage update changed',
          ),
      );
    },
    mountsChanged: () => mounts.forgetAll(),
    channelSync: (payload) => solid.applySync(payload),
  };

  return {
    solid,
    sinks,
    store,
    webhookQueue: webhooks.queue,
    webhookStats: webhooks.stats,
    start: async () => {
      // The watermark first: files created from now on must read as created. With the database
      // down, the first update after it is back takes it instead.
      const ready = Promise.all([start(), tracker.start().catch(() => {})]);
      await Promise.race([ready, sleep(START_WAIT_MS)]);
    },
    /** The link to Redis (re)subscribed: sync messages may have been missed meanwhile. */
    resubscribed: () => {
      if (started)
        solid.reload().catch((err: unknown) => logger.warn({ err }, 'cannot reload the channels'));
    },
    /** Options of the `solidRoutes` plugin. */
    routes: {
      solid,
      authenticator,
      sender,
      publicUrl: config.publicUrl,
      forwardedFor: (request: FastifyRequest) =>
        forwardedForChain(
          request.headers,
          options.unixSocket ? undefined : request.socket.remoteAddress,
        ),
    } satisfies SolidRoutesOptions,
    /** Closes the receivers' sockets (1001), before the HTTP server waits for connections. */
    closeSockets: () => solid.close(),
    async close() {
      clearTimeout(retry);
      await worker?.close();
      await webhooks.queue.close();
      await store.close();
    },
  };
}

/** The channels as the webhook worker in the gateway process sees them: the index. */
function channelsOf(solid: SolidNotifications): WebhookChannels {
  return {
    isActive: (id) => solid.isActive(id),
    secretOf: (id) => solid.index.get(id)?.webhookSecret,
    end: (id) => solid.end(id),
    endDestination: (url) => solid.endDestination(url),
  };
}

/** The Basic check is Nextcloud's own; wrong credentials are an answer, not a failure. */
function checkPassword(nextcloud: NextcloudClient) {
  return async (username: string, password: string, forwardedFor: readonly string[]) => {
    try {
      return await nextcloud.getUid(username, password, forwardedFor);
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return undefined;
      throw err;
    }
  };
}

function solidOidc({ config, redis }: SolidDeliveryOptions) {
  if (config.oidcIssuers.length === 0) return undefined;
  const templates =
    config.webIdTemplates.length > 0
      ? config.webIdTemplates
      : defaultWebIdTemplates(config.nextcloudUrl);
  const rule = new WebIdRule({ templates, issuers: config.oidcIssuers });
  return new SolidOidcVerifier({
    trustedIssuers: config.oidcIssuers,
    webIdToUid: (webId, issuer) => rule.toUid(webId, issuer),
    replayGuard: new RedisReplayGuard({
      setIfAbsent: (key, value, ttlMs) => redis.setIfAbsent(key, value, ttlMs),
    }),
  });
}

export type SolidDelivery = ReturnType<typeof createSolidDelivery>;
