import { z } from 'zod';
import type { ChannelType } from './channel.js';
import type { ContextStyle, RdfMediaType } from './vocabulary.js';

/**
 * A channel as the gateway keeps it: in PostgreSQL, in every replica's index, and in the
 * messages that keep the replicas' indexes in step. Times are epoch milliseconds.
 */
export interface StoredChannel {
  /** A random UUID; the channel's IRI is built from it and the public URL. */
  id: string;
  type: ChannelType;
  /** The Nextcloud user who subscribed. */
  owner: string;
  /** The topic's canonical WebDAV URL. */
  topic: string;
  createdAt: number;
  startAt: number | undefined;
  endAt: number;
  rateMs: number | undefined;
  /** The `state` feature until it has been checked once (then cleared). */
  state: string | undefined;
  /** The `accept` feature as sent. */
  accept: string | undefined;
  /** How notifications are written: what `accept` chose, and the subscriber's context. */
  mediaType: RdfMediaType;
  contextStyle: ContextStyle;
  /** SHA-256 (hex) of the secret in `receiveFrom` (WebSocketChannel2023). */
  receiveTokenHash: string | undefined;
  /** Where notifications are POSTed (WebhookChannel2023). */
  sendTo: string | undefined;
  /** The Standard Webhooks secret its deliveries are signed with (WebhookChannel2023). */
  webhookSecret: string | undefined;
}

const millis = z.number().int().nonnegative();

/** What a replica accepts from another one: a channel must be whole and well-formed. */
export const storedChannelSchema = z.object({
  id: z.uuid(),
  type: z.enum(['WebSocketChannel2023', 'WebhookChannel2023']),
  owner: z.string().min(1),
  topic: z.url(),
  createdAt: millis,
  startAt: millis.optional(),
  endAt: millis,
  rateMs: z.number().int().positive().optional(),
  state: z.string().optional(),
  accept: z.string().optional(),
  mediaType: z.enum(['application/ld+json', 'text/turtle']),
  contextStyle: z.enum(['notifications-context', 'legacy-notification']),
  receiveTokenHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  sendTo: z.url().optional(),
  webhookSecret: z.string().optional(),
});
