import type { CustomEvent, UserEvent } from '@gw/events';
import { stringifySorted } from './sorted-json.js';

/** A message that waits in a connection's send queue (custom messages never do). */
export type QueuedMessage =
  | {
      readonly type: 'file';
      /** The changed files, in order; `null` when at least one update did not name its file. */
      readonly fileIds: readonly number[] | null;
    }
  | { readonly type: 'activity' }
  | { readonly type: 'notification' };

export type QueuedMessageType = QueuedMessage['type'];

/**
 * The constant frames, encoded once: a fan-out sends the same bytes to thousands of sockets, and
 * handing ws a ready Buffer spares it a UTF-8 encoding per socket.
 */
const ENCODED = {
  notify_file: Buffer.from('notify_file'),
  notify_activity: Buffer.from('notify_activity'),
  notify_notification: Buffer.from('notify_notification'),
};

const ACTIVITY: QueuedMessage = { type: 'activity' };
const NOTIFICATION: QueuedMessage = { type: 'notification' };

/** The queued form of a non-custom event; one object is shared by all the user's connections. */
export function toQueuedMessage(event: Exclude<UserEvent, CustomEvent>): QueuedMessage {
  switch (event.type) {
    case 'file':
      return { type: 'file', fileIds: event.change === null ? null : [event.change.fileId] };
    case 'activity':
      return ACTIVITY;
    case 'notification':
      return NOTIFICATION;
  }
}

/**
 * The text frame for a queued message. `notify_file_id [1,2]` only for a connection that sent
 * `listen notify_file_id` and only when every merged update named its file.
 */
export function formatQueuedMessage(
  message: QueuedMessage,
  listensToFileIds: boolean,
): string | Buffer {
  switch (message.type) {
    case 'file':
      return listensToFileIds && message.fileIds !== null
        ? `notify_file_id ${JSON.stringify(message.fileIds)}`
        : ENCODED.notify_file;
    case 'activity':
      return ENCODED.notify_activity;
    case 'notification':
      return ENCODED.notify_notification;
  }
}

/** `<message>` without a body, `<message> <compact JSON, keys sorted>` with one. */
export function formatCustomMessage(event: Pick<CustomEvent, 'message' | 'body'>): string {
  return event.body === null || event.body === undefined
    ? event.message
    : `${event.message} ${stringifySorted(event.body)}`;
}
