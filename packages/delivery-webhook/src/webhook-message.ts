/**
 * One notification to POST to one webhook destination. Everything the worker needs is here, so a
 * job survives restarts and can be delivered by any replica.
 */
export interface WebhookMessage {
  /**
   * Unique per message and stable across attempts and replicas: the BullMQ job id (so replicas
   * that saw the same event enqueue it once) and the Standard Webhooks `webhook-id` (so
   * receivers can drop duplicates). `[A-Za-z0-9_-]` only, not all digits (BullMQ's rules).
   */
  id: string;
  /** The subscription it belongs to: a deleted or disabled one stops its deliveries. */
  subscriptionId: string;
  /** Where to POST: an https URL, or one an operator allow-listed. */
  url: string;
  /** The body's media type, e.g. `application/ld+json`. */
  contentType: string;
  /** The exact body, as sent and signed (UTF-8). */
  body: string;
  /** The subscription's Standard Webhooks secret (`whsec_…`); unsigned when absent. */
  secret?: string;
  /**
   * More headers for this attempt, e.g. the sender's credentials. Like the secret, set by the
   * caller for each attempt rather than queued. @defaultValue none
   */
  headers?: Readonly<Record<string, string>>;
  /** When the event behind it was received, epoch milliseconds (for the latency metric). */
  createdAt: number;
}

/** How one attempt ended. */
export type AttemptOutcome =
  /**
   * A 2xx answer. `responseBody`, here and below, is the start of the answer's body (UTF-8, at
   * most the attempt's `maxResponseBytes`), for logs and diagnostics.
   */
  | { kind: 'delivered'; status: number; responseBody?: string }
  /**
   * Worth trying again: a 5xx, 429, 408, a timeout, a refused or reset connection, a 3xx (not
   * followed). `retryAfterMs` is the receiver's `Retry-After`; `overload` marks 429s and
   * timeouts, which wait at least a minute.
   */
  | {
      kind: 'retry';
      reason: string;
      status?: number;
      retryAfterMs?: number;
      overload: boolean;
      responseBody?: string;
    }
  /** Never worth trying again: another 4xx, or a destination the SSRF guard refuses. */
  | { kind: 'permanent'; reason: string; status?: number; responseBody?: string }
  /** 410 Gone: the receiver wants no more; its subscription ends. */
  | { kind: 'gone' };
