import { randomBytes } from 'node:crypto';
import type { Config } from '@gw/config';
import {
  ChannelStore,
  type StoredChannel,
  SYNC_CHANNEL,
  type SyncMessage,
  WebhookSender,
} from '@gw/delivery-solid';
import type { Logger } from 'pino';
import { RedisCommands } from './redis-commands.js';
import { redisConnection } from './redis-connection.js';
import { createWebhookDelivery, type WebhookChannels } from './webhook-delivery.js';

/** How long a channel read from PostgreSQL answers `isActive` and `secretOf`. */
const CHANNEL_CACHE_MS = 5_000;

/**
 * `notify-gateway worker`: webhook deliveries only, for scaling them out apart from the sockets.
 * It reads the channels from PostgreSQL (briefly cached) instead of keeping an index, and tells
 * the gateways when it ends one (410 Gone, a destination that kept failing).
 */
export async function startStandaloneWorker(config: Config, logger: Logger) {
  if (config.solid === undefined) {
    throw new Error(
      'the webhook worker needs the channel store: set GATEWAY_DATABASE_URL (PostgreSQL)',
    );
  }
  const redis = redisConnection(config.redis);
  const commands = new RedisCommands({ redis: redis.commands, logger });
  const store = new ChannelStore({ url: config.solid.databaseUrl, logger });
  await store.migrate();
  const delivery = createWebhookDelivery({
    config: config.solid.webhooks,
    redis: redis.commands,
    logger,
    sender: new WebhookSender({ publicUrl: config.solid.publicUrl, store }),
  });
  const worker = delivery.startWorker(storeChannels(store, commands));
  return {
    async close() {
      await worker.close();
      await delivery.queue.close();
      await Promise.allSettled([store.close(), commands.close()]);
    },
  };
}

function storeChannels(store: ChannelStore, commands: RedisCommands): WebhookChannels {
  const origin = `worker-${randomBytes(8).toString('hex')}`;
  const cache = new Map<string, { channel: Promise<StoredChannel | undefined>; until: number }>();
  const read = (id: string) => {
    const cached = cache.get(id);
    if (cached !== undefined && Date.now() < cached.until) return cached.channel;
    const channel = store.get(id);
    cache.set(id, { channel, until: Date.now() + CHANNEL_CACHE_MS });
    channel.catch(() => cache.delete(id));
    return channel;
  };
  const removed = async (id: string) => {
    cache.delete(id);
    const message: SyncMessage = { origin, op: 'remove', id, reason: 'deleted' };
    await commands.publish(SYNC_CHANNEL, JSON.stringify(message));
  };
  return {
    isActive: async (id) => ((await read(id))?.endAt ?? 0) > Date.now(),
    secretOf: async (id) => (await read(id))?.webhookSecret,
    end: async (id) => {
      if (await store.delete(id)) await removed(id);
    },
    endDestination: async (url) => {
      const ids = await store.deleteBySendTo(url);
      for (const id of ids) await removed(id);
      return ids.length;
    },
  };
}
