import type { ContextStyle, RdfMediaType } from './vocabulary.js';

/** The channel types the gateway offers, by their term in the notifications context. */
export type ChannelType = 'WebSocketChannel2023' | 'WebhookChannel2023';

/** The features of the notifications protocol (reference/solid.md §1.5), by their term. */
export type ChannelFeature = 'accept' | 'endAt' | 'rate' | 'startAt' | 'state';

/**
 * A subscription request after parsing and validation (reference/solid.md §1.4, §3.2): one
 * subject, one `type`, one `topic`, each feature at most once. Dates and durations are already
 * numbers; nothing is checked against the gateway's state yet (topic ownership, caps, quotas).
 */
export interface ChannelRequest {
  type: ChannelType;
  /** The topic as an absolute IRI, exactly as sent. */
  topic: string;
  /** `startAt`, epoch milliseconds. */
  startAt?: number;
  /** `endAt`, epoch milliseconds. */
  endAt?: number;
  /** `state`: the subscriber's last known state (ETag) of the topic. */
  state?: string;
  /** `rate`: shortest time between two notifications, milliseconds (> 0). */
  rateMs?: number;
  /** `accept`: an HTTP Accept header value naming at least one type the gateway can write. */
  accept?: string;
  /** `sendTo`: where a webhook channel POSTs (WebhookChannel2023 only). */
  sendTo?: string;
  /** The notifications context the request was written in (Turtle requests count as the protocol's). */
  contextStyle: ContextStyle;
}

/** A channel as the gateway describes it in a subscription response (reference/solid.md §1.4). */
export interface ChannelDescription {
  /** The channel's IRI; `DELETE` on it unsubscribes. */
  id: string;
  type: ChannelType;
  topic: string;
  /** Where the receiver connects (WebSocketChannel2023). */
  receiveFrom?: string;
  /** Where notifications are POSTed (WebhookChannel2023). */
  sendTo?: string;
  /** Who sends the notifications (WebhookChannel2023). */
  sender?: string;
  startAt?: number;
  /** Always set: the gateway caps every channel's lifetime. */
  endAt: number;
  rateMs?: number;
  state?: string;
  accept?: string;
}

/** The activity types a notification can carry (reference/solid.md §1.6, §3.4). */
export type ActivityType = 'Create' | 'Update' | 'Delete' | 'Add' | 'Remove';

/** One notification message (reference/solid.md §1.6). */
export interface Notification {
  /** Unique per notification: `urn:uuid:…`. */
  id: string;
  type: ActivityType;
  /** The resource the activity is about. */
  object: string;
  /** The container an `Add` or `Remove` is directed at. */
  target?: string;
  /** The ETag of the resource (of the container, for `Add` and `Remove`); none on `Delete`. */
  state?: string;
  /** When it happened, epoch milliseconds. */
  published: number;
}

/** How a channel wants its notifications written. */
export interface NotificationFormat {
  mediaType: RdfMediaType;
  contextStyle: ContextStyle;
}
