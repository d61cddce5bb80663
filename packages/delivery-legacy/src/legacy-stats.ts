import type { UserEvent } from '@gw/events';

/** Frames sent per message type, after debouncing (pings and handshake replies not counted). */
export type MessageCounts = Record<UserEvent['type'] | 'total', number>;

/** Counters with upstream's metric semantics (reference/notify_push.md §6.3). */
export interface LegacyStats {
  /** Authenticated connections open now (`active_connection_count`). */
  readonly activeConnections: number;
  /** Users with at least one open connection (`active_user_count`). */
  readonly activeUsers: number;
  /** Connections ever authenticated (`total_connection_count`). */
  readonly totalConnections: number;
  /** `message_count_total`, in total and per type. */
  readonly messagesSent: Readonly<MessageCounts>;
  /** Custom messages not sent because the socket was congested. */
  readonly droppedCustom: number;
  /** Handshakes that ended in an error frame (bad credentials, timeout, limit, ...). */
  readonly handshakeFailures: number;
}
