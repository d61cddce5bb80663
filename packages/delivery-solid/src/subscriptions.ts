import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ResourceUrls } from '@gw/events';
import { negotiate } from './accept-header.js';
import type { ChannelDescription, ChannelRequest } from './channel.js';
import type { ChannelStore } from './channel-store.js';
import { SolidError } from './solid-error.js';
import type { StoredChannel } from './stored-channel.js';
import { JSON_LD, type RdfMediaType, TURTLE } from './vocabulary.js';

export interface SubscriptionsOptions {
  /** The gateway's public base URL, ending in `/` (PUBLIC_URL). */
  publicUrl: string;
  urls: ResourceUrls;
  store: Pick<ChannelStore, 'insert' | 'delete' | 'get'>;
  /**
   * Live channels of a user, from the replica's index (every replica indexes every channel).
   * Replicas subscribing at the same instant may both pass the check: the quota guards against
   * runaway clients, it is not an exact limit.
   */
  liveChannels(owner: string): number;
  /** WebhookChannel2023 destinations and secrets; without it such requests are refused. */
  webhooks?: WebhookSubscriptions;
  /** Longest lifetime of a channel; `endAt` is capped to it. @defaultValue 14 days (as CSS) */
  maxDurationMs?: number;
  /** Live channels one user may have. @defaultValue 1_000 */
  quota?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** What the webhook side decides at subscribe time. */
export interface WebhookSubscriptions {
  /** Why `sendTo` may not be used (not https, a private address…), or undefined when it may. */
  refusal(sendTo: string): Promise<string | undefined>;
  /** A new secret for signing the channel's deliveries (`whsec_…`). */
  newSecret(): string;
  /** Who sends the notifications: the response's `sender` (reference/solid.md §2.2). */
  sender: string;
}

/** What a subscription created: the channel and its description. */
export interface Subscription {
  channel: StoredChannel;
  description: ChannelDescription;
}

const SERVICE_PATH = '.notifications/';
/** Bytes of randomness in a `receiveFrom` URL (the spec's capability URL; ≥ 128 bits asked). */
const RECEIVE_TOKEN_BYTES = 32;

/**
 * Creating and deleting channels (reference/solid.md §3.2 steps 4–7, done better): the topic
 * must be a resource in the subscriber's own `files/{uid}/`, `endAt` is always set and capped,
 * each user has a quota, and only the owner may delete a channel.
 */
export class Subscriptions {
  readonly #options: SubscriptionsOptions;
  readonly #maxDurationMs: number;
  readonly #quota: number;
  readonly #now: () => number;

  constructor(options: SubscriptionsOptions) {
    this.#options = options;
    this.#maxDurationMs = options.maxDurationMs ?? 14 * 24 * 3_600_000;
    this.#quota = options.quota ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** The URL of a subscription service (`/.notifications/<Type>/` under the public URL). */
  serviceUrl(type: StoredChannel['type']): string {
    return `${this.#options.publicUrl}${SERVICE_PATH}${type}/`;
  }

  channelUrl(channel: Pick<StoredChannel, 'type' | 'id'>): string {
    return `${this.serviceUrl(channel.type)}${channel.id}`;
  }

  /** Where a WebSocketChannel2023 receiver connects: the capability URL of the channel. */
  receiveFromUrl(token: string): string {
    const ws = this.#options.publicUrl.replace(/^http/, 'ws');
    return `${ws}${SERVICE_PATH}WebSocketChannel2023/socket/${token}`;
  }

  async subscribe(request: ChannelRequest, uid: string): Promise<Subscription> {
    const topic = this.#topic(request.topic, uid);
    if (this.#options.liveChannels(uid) >= this.#quota) {
      throw new SolidError(
        'GW_SOLID_QUOTA',
        `you have ${this.#quota} live channels, the most allowed: delete one or let one expire`,
      );
    }
    const now = this.#now();
    const endAt = Math.min(request.endAt ?? Number.POSITIVE_INFINITY, now + this.#maxDurationMs);
    if (request.startAt !== undefined && request.startAt > endAt) {
      throw new SolidError(
        'GW_SOLID_INVALID_WINDOW',
        'startAt is after endAt: the channel would never deliver',
      );
    }
    const webhookSecret = await this.#webhook(request);
    const token = randomBytes(RECEIVE_TOKEN_BYTES).toString('base64url');
    const channel: StoredChannel = {
      id: randomUUID(),
      type: request.type,
      owner: uid,
      topic,
      createdAt: now,
      startAt: request.startAt,
      endAt,
      rateMs: request.rateMs,
      state: request.state,
      accept: request.accept,
      mediaType: notificationMediaType(request.accept),
      contextStyle: request.contextStyle,
      receiveTokenHash: request.type === 'WebSocketChannel2023' ? hashToken(token) : undefined,
      sendTo: request.sendTo,
      webhookSecret,
    };
    await this.#options.store.insert(channel);
    return { channel, description: this.describe(channel, token) };
  }

  /** Deletes the owner's channel; resolves to it. */
  async unsubscribe(id: string, uid: string): Promise<StoredChannel> {
    const channel = isUuid(id) ? await this.#options.store.get(id) : undefined;
    if (channel === undefined || channel.endAt <= this.#now()) {
      throw new SolidError('GW_SOLID_UNKNOWN_CHANNEL', 'no live channel has this id');
    }
    if (channel.owner !== uid) {
      throw new SolidError(
        'GW_SOLID_FORBIDDEN',
        'only the user who subscribed may delete a channel',
      );
    }
    await this.#options.store.delete(id);
    return channel;
  }

  describe(channel: StoredChannel, token?: string): ChannelDescription {
    return {
      id: this.channelUrl(channel),
      type: channel.type,
      topic: channel.topic,
      ...(token === undefined || channel.type !== 'WebSocketChannel2023'
        ? {}
        : { receiveFrom: this.receiveFromUrl(token) }),
      ...(channel.sendTo === undefined ? {} : { sendTo: channel.sendTo }),
      ...(channel.type === 'WebhookChannel2023' && this.#options.webhooks
        ? { sender: this.#options.webhooks.sender }
        : {}),
      ...(channel.startAt === undefined ? {} : { startAt: channel.startAt }),
      endAt: channel.endAt,
      ...(channel.rateMs === undefined ? {} : { rateMs: channel.rateMs }),
      ...(channel.state === undefined ? {} : { state: channel.state }),
      ...(channel.accept === undefined ? {} : { accept: channel.accept }),
    };
  }

  /** The secret of a webhook channel, once its destination passed; undefined for sockets. */
  async #webhook(request: ChannelRequest): Promise<string | undefined> {
    if (request.type !== 'WebhookChannel2023') return undefined;
    const { webhooks } = this.#options;
    if (webhooks === undefined || request.sendTo === undefined) {
      throw new SolidError('GW_SOLID_INVALID_DESTINATION', 'this gateway delivers no webhooks');
    }
    const refusal = await webhooks.refusal(request.sendTo);
    if (refusal !== undefined) {
      throw new SolidError('GW_SOLID_INVALID_DESTINATION', `sendTo is refused: ${refusal}`);
    }
    return webhooks.newSecret();
  }

  /** The canonical topic, if it is a resource of `uid`'s; otherwise why not. */
  #topic(requested: string, uid: string): string {
    const location = this.#options.urls.parse(requested);
    const own = this.#options.urls.url(uid, 'files', true);
    if (location === undefined) {
      throw new SolidError(
        'GW_SOLID_INVALID_TOPIC',
        `the topic must be the WebDAV URL of a file or folder of this Nextcloud, under ${own}`,
      );
    }
    if (location.uid !== uid) {
      throw new SolidError(
        'GW_SOLID_FORBIDDEN',
        `you may only subscribe to resources under ${own}`,
      );
    }
    return location.url;
  }
}

/** The channel's notifications are written in the type `accept` prefers; JSON-LD without it. */
function notificationMediaType(accept: string | undefined): RdfMediaType {
  return negotiate(accept, [JSON_LD, TURTLE]) === TURTLE ? TURTLE : JSON_LD;
}

/** Only the hash of a `receiveFrom` secret is stored, so a leaked table opens no socket. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function isUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
}
