import { UnrecoverableError } from 'bullmq';
import type { RetryHint } from './retry-schedule.js';

/**
 * An attempt failed in a way worth trying again (a `retry` outcome). The worker throws it so
 * BullMQ counts the attempt and asks the retry schedule, which reads the hint fields, for the
 * delay. The message is the outcome's reason: it goes into the job's `failedReason`.
 */
export class RetryableDeliveryError extends Error implements RetryHint {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly overload: boolean;

  constructor(
    reason: string,
    details: { status?: number; retryAfterMs?: number; overload: boolean },
  ) {
    super(reason);
    this.name = 'RetryableDeliveryError';
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.overload = details.overload;
  }
}

/**
 * An attempt failed in a way no retry can fix (a `permanent` or `gone` outcome). It is a BullMQ
 * `UnrecoverableError`, so the job fails at once, whatever attempts it has left.
 */
export class PermanentDeliveryError extends UnrecoverableError {
  readonly status: number | undefined;

  constructor(reason: string, status?: number) {
    super(reason);
    this.status = status;
  }
}
