import { z } from 'zod';
import { storedChannelSchema } from './stored-channel.js';

/**
 * The Redis pub/sub channel on which replicas tell each other about channel changes, so each
 * keeps a full index for the sockets it holds. Pub/sub keeps nothing: a replica that was
 * disconnected reloads its index from PostgreSQL when it is back.
 */
export const SYNC_CHANNEL = 'notify_gateway_channels';

/** What one replica tells the others. `origin` lets a replica skip its own messages. */
export const syncMessageSchema = z.discriminatedUnion('op', [
  z.object({ origin: z.string(), op: z.literal('put'), channel: storedChannelSchema }),
  z.object({
    origin: z.string(),
    op: z.literal('remove'),
    id: z.uuid(),
    reason: z.enum(['deleted', 'expired']),
  }),
  /** The `state` feature was answered on the replica holding the socket. */
  z.object({ origin: z.string(), op: z.literal('state-checked'), id: z.uuid() }),
]);

export type SyncMessage = z.output<typeof syncMessageSchema>;

/** Distributes one replica's channel changes to the others. */
export type SyncPublisher = (message: SyncMessage) => Promise<void>;
