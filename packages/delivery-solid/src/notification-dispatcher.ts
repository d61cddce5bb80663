import { eventTopic, type ResourceEvent } from '@gw/events';
import type { Notification, NotificationFormat } from './channel.js';
import type { ChannelIndex } from './channel-index.js';
import { notificationId } from './notification-id.js';
import { serializeNotification } from './notification-serializer.js';
import type { RateGate } from './rate-gate.js';
import type { StoredChannel } from './stored-channel.js';

/** Where a channel's notifications go: its sockets, or its webhook. */
export type NotificationSender = (
  channel: StoredChannel,
  frame: Buffer,
  notification: Notification,
) => void;

export interface NotificationDispatcherOptions {
  index: ChannelIndex;
  rateGate: RateGate;
  send: NotificationSender;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Turns resource events into notifications on the channels listening to them: the topic's own
 * channels, and for a deleted folder the channels of everything below it. `startAt` and `endAt`
 * gate delivery, `rate` spaces it. One notification (one `id`) per event and topic, written once
 * per format however many channels share it.
 */
export class NotificationDispatcher {
  readonly #options: NotificationDispatcherOptions;
  readonly #now: () => number;

  constructor(options: NotificationDispatcherOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  dispatch(event: ResourceEvent): void {
    const { index } = this.#options;
    const topic = eventTopic(event);
    const frames = new FrameCache();
    const shared = notificationOf(event);
    for (const channel of index.at(event.user, topic)) {
      // A Delete is about the channel's own topic, however the subscriber wrote it.
      const notification =
        event.activity === 'Delete' ? { ...shared, object: channel.topic } : shared;
      this.offer(channel, notification, event.activity === 'Delete' ? new FrameCache() : frames);
    }
    if (event.activity !== 'Delete' || event.subtree !== true) return;
    for (const channel of index.below(event.user, event.object)) {
      const id = notificationId('Delete', channel.topic, event.changeKey);
      this.offer(channel, { ...shared, id, object: channel.topic }, new FrameCache());
    }
  }

  /** Sends a notification to one channel, within its time window and rate. */
  offer(channel: StoredChannel, notification: Notification, frames = new FrameCache()): void {
    const now = this.#now();
    if (now >= channel.endAt || (channel.startAt !== undefined && now < channel.startAt)) return;
    const send = (due: Notification) =>
      this.#options.send(channel, frames.frame(due, formatOf(channel)), due);
    if (channel.rateMs === undefined) send(notification);
    else this.#options.rateGate.offer(channel.id, channel.rateMs, notification, send);
  }
}

/**
 * Serialised notifications by format, so a topic's many channels share the work. Encoded to
 * UTF-8 once: handed a Buffer, ws writes the same bytes to every socket without encoding again.
 */
class FrameCache {
  readonly #frames = new Map<string, Buffer>();
  #notification: Notification | undefined;

  frame(notification: Notification, format: NotificationFormat): Buffer {
    if (notification !== this.#notification) {
      this.#frames.clear();
      this.#notification = notification;
    }
    const key = `${format.mediaType} ${format.contextStyle}`;
    let frame = this.#frames.get(key);
    if (frame === undefined) {
      frame = Buffer.from(serializeNotification(notification, format));
      this.#frames.set(key, frame);
    }
    return frame;
  }
}

function formatOf(channel: StoredChannel): NotificationFormat {
  return { mediaType: channel.mediaType, contextStyle: channel.contextStyle };
}

function notificationOf(event: ResourceEvent): Notification {
  return {
    id: notificationId(event.activity, event.object, event.target ?? '', event.changeKey),
    type: event.activity,
    object: event.object,
    ...(event.target === undefined ? {} : { target: event.target }),
    ...(event.state === undefined || event.activity === 'Delete' ? {} : { state: event.state }),
    published: event.receivedAt,
  };
}
