import { randomBytes } from 'node:crypto';
import type { ResourceEvent, ResourceUrls } from '@gw/events';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { ChannelDescription, ChannelRequest, ChannelType, Notification } from './channel.js';
import { ChannelIndex } from './channel-index.js';
import type { ChannelStore } from './channel-store.js';
import { type SyncMessage, type SyncPublisher, syncMessageSchema } from './channel-sync.js';
import { SolidCloseCode, unknownChannelLine } from './close-codes.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { notificationId } from './notification-id.js';
import { RateGate } from './rate-gate.js';
import { SolidError } from './solid-error.js';
import type { StoredChannel } from './stored-channel.js';
import { hashToken, Subscriptions, type WebhookSubscriptions } from './subscriptions.js';
import { WebSocketHub, type WebSocketHubOptions } from './websocket-hub.js';

/** What the Solid side needs to know about a resource now (for the `state` feature). */
export interface ResourceState {
  /** The etag as stored; the notification shows it in double quotes, as WebDAV does. */
  etag: string;
}

/**
 * One webhook delivery, as the queue takes it (`WebhookMessage` of `@gw/delivery-webhook`). No
 * secret: the worker looks it up by channel at each attempt, so none sits in Redis.
 */
export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  contentType: string;
  body: string;
  createdAt: number;
}

/** WebhookChannel2023: where deliveries go, and what is checked when subscribing. */
export interface WebhookOptions extends WebhookSubscriptions {
  /** Queues one delivery; resolves false when the same delivery was queued already. */
  enqueue(delivery: WebhookDelivery): Promise<boolean>;
}

/** What a subscription answers: the channel, and a webhook channel's secret (shown once). */
export interface Subscribed {
  description: ChannelDescription;
  webhookSecret?: string;
}

export interface SolidNotificationsOptions {
  /** The gateway's public base URL, ending in `/` (PUBLIC_URL). */
  publicUrl: string;
  urls: ResourceUrls;
  store: ChannelStore;
  /** Tells the other replicas about channel changes. */
  publish: SyncPublisher;
  /** Current state of resources, and warming of the normalizer's memory for new topics. */
  resources: {
    current(url: string): Promise<ResourceState | undefined>;
    watch(urls: readonly string[]): Promise<void>;
  };
  logger: Logger;
  /** Longest channel lifetime. @defaultValue 14 days */
  maxDurationMs?: number;
  /** Live channels per user. @defaultValue 1_000 */
  quota?: number;
  /** How often ended channels are closed and deleted. @defaultValue 10_000 */
  sweepIntervalMs?: number;
  /** WebhookChannel2023; not offered without it. @defaultValue undefined */
  webhooks?: WebhookOptions;
  /** Socket settings (pings, sockets per channel, buffering). */
  sockets?: Omit<WebSocketHubOptions, 'logger'>;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Topics warmed into the normalizer's memory per batch at start-up. */
const WATCH_BATCH = 500;

/**
 * The Solid Notifications side of the gateway: channels (created, deleted, expired, shared with
 * the other replicas), their WebSocketChannel2023 sockets, and delivery of resource events.
 */
export class SolidNotifications {
  readonly index = new ChannelIndex();
  /** The channel types offered: WebhookChannel2023 only with webhook delivery configured. */
  readonly channelTypes: readonly ChannelType[];
  readonly subscriptions: Subscriptions;
  readonly #options: SolidNotificationsOptions;
  readonly #hub: WebSocketHub;
  readonly #rateGate: RateGate;
  readonly #dispatcher: NotificationDispatcher;
  readonly #logger: Logger;
  readonly #now: () => number;
  /** This replica's name in sync messages. */
  readonly #origin = randomBytes(8).toString('hex');
  #sweeper: NodeJS.Timeout | undefined;
  #notificationsSent = 0;
  /** Whether the channels have been loaded: until then nothing can be answered for sure. */
  #loaded = false;

  constructor(options: SolidNotificationsOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.channelTypes = options.webhooks
      ? ['WebSocketChannel2023', 'WebhookChannel2023']
      : ['WebSocketChannel2023'];
    this.subscriptions = new Subscriptions({
      ...options,
      now: this.#now,
      liveChannels: (owner) => this.index.countOf(owner),
    });
    this.#hub = new WebSocketHub({ ...options.sockets, logger: options.logger });
    this.#rateGate = new RateGate(this.#now);
    this.#dispatcher = new NotificationDispatcher({
      index: this.index,
      rateGate: this.#rateGate,
      now: this.#now,
      send: (channel, frame, notification) => {
        if (channel.type === 'WebSocketChannel2023') {
          this.#notificationsSent += this.#hub.send(channel.id, frame);
        } else this.#enqueue(channel, frame, notification);
      },
    });
  }

  get stats() {
    return {
      channels: this.index.size,
      sockets: this.#hub.sockets,
      notificationsSent: this.#notificationsSent,
    };
  }

  /** Creates the tables if needed, loads the live channels, and starts the expiry sweep. */
  async start(): Promise<void> {
    await this.#options.store.migrate();
    await this.reload();
    this.#loaded = true;
    this.#sweeper = setInterval(() => void this.#sweep(), this.#options.sweepIntervalMs ?? 10_000);
    this.#sweeper.unref();
  }

  /**
   * Replaces the index with the store's live channels: at start-up, and whenever this replica
   * may have missed sync messages (its Redis link came back).
   */
  async reload(): Promise<void> {
    const live = await this.#options.store.live(this.#now());
    const ids = new Set(live.map((channel) => channel.id));
    for (const channel of [...this.index.all()]) {
      if (!ids.has(channel.id)) this.#drop(channel.id, 'deleted');
    }
    for (const channel of live) this.index.put(channel);
    void this.#watch(live.map((channel) => channel.topic));
  }

  /** Whether anyone listens to a resource of these users (storage updates of others are skipped). */
  interested(users: readonly string[]): boolean {
    return this.index.hasAnyUser(users);
  }

  deliver(event: ResourceEvent): void {
    this.#dispatcher.dispatch(event);
  }

  async subscribe(request: ChannelRequest, uid: string): Promise<Subscribed> {
    const { channel, description } = await this.#withStore(() =>
      this.subscriptions.subscribe(request, uid),
    );
    const watched = this.index.isWatched(channel.owner, channel.topic);
    this.index.put(channel);
    this.#publish({ origin: this.#origin, op: 'put', channel });
    // A topic that already had a channel is in the normalizer's memory already. Warmed before
    // the answer, so that a move or delete right after subscribing is recognised as one.
    if (!watched) await this.#watch([channel.topic]);
    // A webhook has no first connection: its state is checked right after subscribing, as CSS.
    if (channel.type === 'WebhookChannel2023' && channel.state !== undefined) {
      void this.#checkState(channel);
    }
    return { description, webhookSecret: channel.webhookSecret };
  }

  /** Whether a channel still wants deliveries: queued ones of a deleted channel are dropped. */
  isActive(id: string): boolean {
    const channel = this.index.get(id);
    return channel !== undefined && channel.endAt > this.#now();
  }

  /** Ends a channel the gateway gave up on (its receiver answered 410 Gone). */
  async end(id: string): Promise<void> {
    await this.#withStore(() => this.#options.store.delete(id));
    this.#drop(id, 'deleted');
    this.#publish({ origin: this.#origin, op: 'remove', id, reason: 'deleted' });
  }

  /** Ends every channel of a webhook destination that kept failing (reference: Svix's 5 days). */
  async endDestination(sendTo: string): Promise<number> {
    const ids = await this.#withStore(() => this.#options.store.deleteBySendTo(sendTo));
    for (const id of ids) {
      this.#drop(id, 'deleted');
      this.#publish({ origin: this.#origin, op: 'remove', id, reason: 'deleted' });
    }
    return ids.length;
  }

  async unsubscribe(id: string, uid: string): Promise<void> {
    const channel = await this.#withStore(() => this.subscriptions.unsubscribe(id, uid));
    this.#drop(channel.id, 'deleted');
    this.#publish({ origin: this.#origin, op: 'remove', id: channel.id, reason: 'deleted' });
  }

  /**
   * Takes a receiver's socket for the channel whose `receiveFrom` holds `token`. An unknown or
   * ended channel gets CSS's error line and close code 4404.
   */
  connect(token: string, socket: WebSocket, receiveFrom: string): void {
    if (!this.#loaded) {
      socket.close(SolidCloseCode.tryAgainLater, 'channels are still loading');
      return;
    }
    const channel = this.index.byReceiveToken(hashToken(token));
    if (channel === undefined || channel.endAt <= this.#now()) {
      socket.send(unknownChannelLine(receiveFrom));
      socket.close(SolidCloseCode.unknownChannel, 'unknown or expired channel');
      return;
    }
    if (this.#hub.attach(channel.id, socket) && channel.state !== undefined) {
      void this.#checkState(channel);
    }
  }

  /** A message from another replica, or an echo of ours (skipped before it is even checked). */
  applySync(payload: { origin: string }): void {
    if (payload.origin === this.#origin) return;
    const parsed = syncMessageSchema.safeParse(payload);
    if (!parsed.success) {
      this.#logger.warn(
        { reason: parsed.error.message },
        'dropping an invalid channel sync message',
      );
      return;
    }
    const message = parsed.data;
    switch (message.op) {
      case 'put':
        this.index.put(message.channel as StoredChannel);
        void this.#watch([message.channel.topic]);
        return;
      case 'remove':
        this.#drop(message.id, message.reason);
        return;
      case 'state-checked': {
        const channel = this.index.get(message.id);
        if (channel !== undefined) channel.state = undefined;
        return;
      }
    }
  }

  /**
   * Runs a change of the store, answering 503 when it cannot be made: before the channels are
   * loaded, or when PostgreSQL does not answer. Nothing was changed then; the client may retry.
   */
  async #withStore<T>(change: () => Promise<T>): Promise<T> {
    if (!this.#loaded) {
      throw new SolidError(
        'GW_SOLID_UNAVAILABLE',
        'the channel store is not reachable yet; try again',
      );
    }
    try {
      return await change();
    } catch (err) {
      if (err instanceof SolidError) throw err;
      this.#logger.warn({ err }, 'the channel store failed');
      throw new SolidError('GW_SOLID_UNAVAILABLE', 'the channel store did not answer; try again', {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#rateGate.close();
    this.#hub.closeAll(SolidCloseCode.goingAway, 'server shutting down');
  }

  /**
   * The `state` feature (reference/solid.md §3.5): on the first socket, tell the receiver at
   * once if its state is outdated (`Update`) or the topic is gone (`Delete`). Answered once.
   */
  async #checkState(channel: StoredChannel): Promise<void> {
    const given = channel.state;
    channel.state = undefined;
    try {
      const current = await this.#options.resources.current(channel.topic);
      const state = current === undefined ? undefined : `"${current.etag}"`;
      if (state === undefined || !sameEtag(state, given ?? '')) {
        const notification: Notification = {
          id: notificationId('state', channel.id, state ?? ''),
          type: state === undefined ? 'Delete' : 'Update',
          object: channel.topic,
          ...(state === undefined ? {} : { state }),
          published: this.#now(),
        };
        // The spec gives no start for the state check; CSS does not gate it on startAt either.
        this.#dispatcher.offer({ ...channel, startAt: undefined, rateMs: undefined }, notification);
      }
      await this.#options.store.clearState(channel.id);
      this.#publish({ origin: this.#origin, op: 'state-checked', id: channel.id });
    } catch (err) {
      channel.state = given;
      this.#logger.warn({ err, channelId: channel.id }, 'could not check the state of a topic');
    }
  }

  async #sweep(): Promise<void> {
    const now = this.#now();
    for (const channel of [...this.index.ended(now)]) this.#drop(channel.id, 'expired');
    try {
      await this.#options.store.deleteEnded(now);
    } catch (err) {
      this.#logger.warn({ err }, 'could not delete ended channels; trying again later');
    }
  }

  #enqueue(channel: StoredChannel, frame: Buffer, notification: Notification): void {
    const { webhooks } = this.#options;
    if (webhooks === undefined || channel.sendTo === undefined) return;
    const delivery: WebhookDelivery = {
      // Unique per channel and notification, and the same on every replica: they queue it once.
      id: `${channel.id}-${notification.id.slice('urn:uuid:'.length)}`,
      subscriptionId: channel.id,
      url: channel.sendTo,
      contentType: channel.mediaType,
      body: frame.toString('utf8'),
      createdAt: notification.published,
    };
    webhooks
      .enqueue(delivery)
      .catch((err: unknown) =>
        this.#logger.warn({ err, channelId: channel.id }, 'could not queue a webhook delivery'),
      );
  }

  #drop(id: string, reason: 'deleted' | 'expired'): void {
    this.index.remove(id);
    this.#rateGate.forget(id);
    const line =
      reason === 'expired'
        ? 'Notification channel has expired'
        : 'Notification channel was deleted';
    this.#hub.close(id, SolidCloseCode.channelGone, `channel ${reason}`, line);
  }

  #publish(message: SyncMessage): void {
    this.#options.publish(message).catch((err: unknown) => {
      // The other replicas reload from PostgreSQL when their Redis link comes back.
      this.#logger.warn(
        { err, op: message.op },
        'could not tell the other replicas about a channel',
      );
    });
  }

  async #watch(topics: readonly string[]): Promise<void> {
    for (let start = 0; start < topics.length; start += WATCH_BATCH) {
      try {
        await this.#options.resources.watch(topics.slice(start, start + WATCH_BATCH));
      } catch (err) {
        this.#logger.debug({ err }, 'could not look watched topics up; moves may read as edits');
        return;
      }
    }
  }
}

/** ETags compare without their quotes and weak prefix: `W/"x"`, `"x"` and `x` are one state. */
function sameEtag(a: string, b: string): boolean {
  const bare = (etag: string) => etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return bare(a) === bare(b);
}
