import type { QueuedMessage, QueuedMessageType } from './push-message.js';

/**
 * More merged file ids than this become a plain `notify_file`. Upstream has no cap; the cap
 * keeps memory per connection bounded, and past it a full refresh is what the client does anyway.
 */
export const MAX_FILE_IDS = 100;

/** A slot flushes only once nothing was pushed into it for this long, so bursts merge. */
const MERGE_WINDOW_MS = 100;

/**
 * ...unless its message has waited this long: under a steady stream of events (gaps shorter than
 * the merge window) upstream never flushed at all.
 */
const MAX_MERGE_HOLD_MS = 1000;

const NOTIFICATION_DEBOUNCE_MS = 1000;

class Slot {
  message: QueuedMessage | undefined = undefined;
  /** When a message was last pushed into this slot. */
  received = 0;
  /** When the slot's current message was first pushed. */
  pendingSince = 0;
  /** When this slot last flushed; "never" lets the first message out without debounce. */
  sent = Number.NEGATIVE_INFINITY;

  constructor(readonly type: QueuedMessageType) {}
}

/**
 * One connection's debounce state (reference/notify_push.md §1.6): a slot per message type that
 * merges what is pushed into it, and flushes at most once per debounce window. Pure: the caller
 * passes the clock (milliseconds) and decides when to drain.
 */
export class SendQueue {
  // Drain order is file, activity, notification, as upstream.
  readonly #slots = [new Slot('file'), new Slot('activity'), new Slot('notification')] as const;

  /**
   * @param factor this connection's jitter on the file/activity debounce, upstream uniform in
   *   [0.5, 1.5) so that clients do not refresh in lockstep
   * @param maxDebounceTime cap of the file/activity debounce base, seconds (upstream default 15)
   */
  constructor(
    readonly factor: number,
    readonly maxDebounceTime: number,
  ) {}

  get isEmpty(): boolean {
    return this.#slots.every((slot) => slot.message === undefined);
  }

  push(message: QueuedMessage, now: number): void {
    const slot = this.#slot(message.type);
    if (slot.message === undefined) slot.pendingSince = now;
    slot.message = slot.message === undefined ? message : coalesce(slot.message, message);
    slot.received = now;
  }

  /**
   * Takes the messages that are due: a slot is due when it holds a message, its debounce time
   * has passed since it last flushed, and nothing was pushed into it for 100 ms (or its message
   * has already waited a second).
   *
   * @param activeConnections authenticated connections in the whole process; more connections
   *   stretch the file/activity debounce (one second per ten connections)
   */
  drain(now: number, activeConnections: number): QueuedMessage[] {
    const base = Math.max(1, Math.min(Math.floor(activeConnections / 10), this.maxDebounceTime));
    return this.#take(now, base * this.factor * 1000, NOTIFICATION_DEBOUNCE_MS, MERGE_WINDOW_MS);
  }

  /** Takes every queued message regardless of timing (debounce disabled). */
  drainAll(now: number): QueuedMessage[] {
    const never = Number.NEGATIVE_INFINITY;
    return this.#take(now, never, never, never);
  }

  #take(
    now: number,
    debounceMs: number,
    notificationDebounceMs: number,
    mergeWindowMs: number,
  ): QueuedMessage[] {
    const due: QueuedMessage[] = [];
    for (const slot of this.#slots) {
      const slotDebounceMs = slot.type === 'notification' ? notificationDebounceMs : debounceMs;
      if (slot.message === undefined) continue;
      const merging =
        now - slot.received <= mergeWindowMs && now - slot.pendingSince < MAX_MERGE_HOLD_MS;
      if (now - slot.sent <= slotDebounceMs || merging) continue;
      due.push(slot.message);
      slot.message = undefined;
      slot.sent = now;
    }
    return due;
  }

  #slot(type: QueuedMessageType): Slot {
    const [file, activity, notification] = this.#slots;
    return type === 'file' ? file : type === 'activity' ? activity : notification;
  }
}

/** Activity and notification messages are idempotent; file messages merge their ids. */
function coalesce(queued: QueuedMessage, incoming: QueuedMessage): QueuedMessage {
  if (queued.type !== 'file' || incoming.type !== 'file') return queued;
  const fileIds = mergeFileIds(queued.fileIds, incoming.fileIds);
  return fileIds === queued.fileIds ? queued : { type: 'file', fileIds };
}

/** Known ids deduplicate in order; anything merged with unknown files stays unknown. */
function mergeFileIds(
  queued: readonly number[] | null,
  incoming: readonly number[] | null,
): readonly number[] | null {
  if (queued === null || incoming === null) return null;
  const added = incoming.filter(
    (id, index) => !queued.includes(id) && incoming.indexOf(id) === index,
  );
  if (added.length === 0) return queued;
  return queued.length + added.length > MAX_FILE_IDS ? null : [...queued, ...added];
}
