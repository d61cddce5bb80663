import type { Notification } from './channel.js';

interface Window {
  /** When the last notification went out, epoch milliseconds. */
  lastSentAt: number;
  /** The newest notification held back, sent when the window ends. */
  pending: Notification | undefined;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The `rate` feature: at most one notification per `rate` per channel. CSS drops what comes too
 * soon, so a receiver may never learn the final state (reference/solid.md §3.5); here the newest
 * held-back notification goes out when the window ends, so the last change always arrives.
 */
export class RateGate {
  readonly #windows = new Map<string, Window>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Sends now, or holds the notification (replacing an older held one) until the window ends. */
  offer(
    channelId: string,
    rateMs: number,
    notification: Notification,
    send: (notification: Notification) => void,
  ): void {
    const now = this.#now();
    const window = this.#windows.get(channelId);
    if (window === undefined || now - window.lastSentAt >= rateMs) {
      if (window?.timer === undefined) {
        this.#windows.set(channelId, { lastSentAt: now, pending: undefined, timer: undefined });
        send(notification);
        return;
      }
    }
    const held = window as Window;
    held.pending = notification;
    held.timer ??= setTimeout(
      () => {
        held.timer = undefined;
        const pending = held.pending;
        held.pending = undefined;
        held.lastSentAt = this.#now();
        if (pending !== undefined) send(pending);
      },
      held.lastSentAt + rateMs - now,
    );
  }

  /** The channel is gone: nothing held for it goes out. */
  forget(channelId: string): void {
    clearTimeout(this.#windows.get(channelId)?.timer);
    this.#windows.delete(channelId);
  }

  close(): void {
    for (const channelId of this.#windows.keys()) this.forget(channelId);
  }
}
