import { setTimeout as sleep } from 'node:timers/promises';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PermanentDeliveryError, RetryableDeliveryError } from './delivery-errors.js';
import { type CircuitChange, DestinationGate } from './destination-gate.js';
import { FailureClock } from './failure-clock.js';
import { positive, positiveInteger } from './option-checks.js';
import { connectRedis, isCommandError, type QueueLocation, queueKeys } from './queue-connection.js';
import { RetrySchedule, type RetryScheduleOptions } from './retry-schedule.js';
import type { AttemptOutcome, WebhookMessage } from './webhook-message.js';

/** What the worker asks of the rest of the gateway. A hook that throws is logged, not fatal. */
export interface WebhookWorkerHooks {
  /**
   * Whether the subscription still wants deliveries; asked before each attempt, and again each
   * time a held-back job returns, so keep it cheap (an in-memory lookup). The job of an inactive
   * subscription completes without a request: this is how a deleted channel stops its queued
   * deliveries.
   */
  isActive(subscriptionId: string): boolean | Promise<boolean>;
  /**
   * The receiver answered 410 Gone: end the subscription (Standard Webhooks). The job fails
   * without retries. Concurrent jobs of one subscription may each report it.
   */
  onGone(subscriptionId: string): void | Promise<void>;
  /**
   * Every attempt to this URL has failed for `disableAfterMs`: disable it (Svix). Called once per
   * such period in the whole deployment; the jobs still queued for it carry on until `isActive`
   * says otherwise.
   */
  onDisabled(url: string): void | Promise<void>;
  /** After each attempt, for metrics. `attemptNumber` counts from 1. @defaultValue none */
  onAttempt?(
    message: WebhookMessage,
    outcome: AttemptOutcome,
    attemptNumber: number,
    latencyMs: number,
  ): void;
}

export interface WebhookWorkerOptions extends QueueLocation {
  /**
   * One attempt to deliver a message; must not reject (a rejection counts as a retryable
   * failure). `signal` aborts when `close()` stops waiting for it.
   */
  attempt(message: WebhookMessage, signal: AbortSignal): Promise<AttemptOutcome>;
  hooks: WebhookWorkerHooks;
  logger: Logger;
  /** The retry schedule; give the queue the same. @defaultValue Svix's (retry-schedule.ts) */
  retry?: RetryScheduleOptions;
  /**
   * Jobs this process works on at once. Attempts are I/O-bound, and the per-destination cap
   * keeps one receiver from taking them all. @defaultValue 64
   */
  concurrency?: number;
  /** Attempts in flight per destination origin in this process. @defaultValue 4 */
  perDestinationConcurrency?: number;
  /**
   * Consecutive retryable failures of a destination origin after which this process stops
   * attempting it for `circuitBreakerCooldownMs`, then lets one attempt probe it. @defaultValue 5
   */
  circuitBreakerFailures?: number;
  /**
   * How long an open circuit holds its destination's jobs back; also how long a job waits when
   * `isActive` throws. @defaultValue 60_000
   */
  circuitBreakerCooldownMs?: number;
  /**
   * A URL whose attempts have all failed for this long is reported to `onDisabled` (Svix's
   * 5 days). @defaultValue 432_000_000
   */
  disableAfterMs?: number;
  /**
   * How long a job stays locked to this worker without renewal (renewed every half of it). A
   * worker that dies holds its jobs this long before another one may take them over. Keep it
   * well above the attempt timeout. @defaultValue 30_000
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died. @defaultValue 30_000 */
  stalledIntervalMs?: number;
  /**
   * How often one job may be taken over from a dead worker before it fails. BullMQ's default,
   * 1, would fail a job whose receiver crash-loops the gateway, or that two rolling restarts
   * happened to interrupt. A taken-over attempt is repeated in full, so delivery is
   * at-least-once: receivers dedupe on `webhook-id`. @defaultValue 10
   */
  maxStalledCount?: number;
}

/** How long close waits, after aborting the attempts still running, for BullMQ to let go. */
const CLOSE_GRACE_MS = 1_000;

/** What a completed job returns; BullMQ keeps it with the job. */
export type DeliveryResult =
  | { delivered: true; status: number }
  | { delivered: false; reason: 'subscription inactive' };

type WebhookJob = Job<WebhookMessage, DeliveryResult>;

/**
 * Delivers the jobs of the webhook queue: one attempt per run, the outcome mapped onto BullMQ:
 * delivered completes, `retry` throws a {@link RetryableDeliveryError} that the retry schedule
 * turns into the next delay, `permanent` and `gone` throw a {@link PermanentDeliveryError}
 * (BullMQ's UnrecoverableError), which fails the job at once.
 *
 * Jobs survive crashes: a job whose worker dies stays locked for `lockDurationMs`, then any
 * worker's stalled check puts it back, and its attempt runs again. Jobs the destination gate
 * holds back (a busy destination, an open circuit) or whose subscription check failed go back
 * to the delayed set without counting as an attempt. BullMQ's `maxStartedAttempts` stays unset:
 * it would fail jobs merely held back during an outage; the disable hook ends those instead.
 */
export class WebhookWorker {
  readonly #options: WebhookWorkerOptions;
  readonly #logger: Logger;
  readonly #schedule: RetrySchedule;
  readonly #gate: DestinationGate;
  readonly #clock: FailureClock;
  readonly #client: Redis | Cluster;
  readonly #worker: Worker<WebhookMessage, DeliveryResult>;
  readonly #cooldownMs: number;
  readonly #disableAfterMs: number;
  /**
   * Jobs being processed now, each with the controller that cuts it off when `close()` stops
   * waiting. One per job, not one for all: a promise or signal that lives as long as the worker
   * would keep a reaction or listener of every job ever raced against it, and leak them.
   */
  readonly #inFlight = new Set<AbortController>();
  /** `close()` stopped waiting: a job that starts now is cut off at once. */
  #cutOff = false;
  #closing: Promise<void> | undefined;

  constructor(options: WebhookWorkerOptions) {
    const { name, prefix } = queueKeys(options);
    this.#options = options;
    this.#logger = options.logger;
    this.#schedule = new RetrySchedule(options.retry);
    this.#cooldownMs = positive(
      'circuitBreakerCooldownMs',
      options.circuitBreakerCooldownMs,
      60_000,
    );
    this.#disableAfterMs = positive('disableAfterMs', options.disableAfterMs, 432_000_000);
    this.#gate = new DestinationGate({
      perDestinationConcurrency: positiveInteger(
        'perDestinationConcurrency',
        options.perDestinationConcurrency,
        4,
      ),
      circuitBreakerFailures: positiveInteger(
        'circuitBreakerFailures',
        options.circuitBreakerFailures,
        5,
      ),
      circuitBreakerCooldownMs: this.#cooldownMs,
    });
    // BullMQ's blocking commands must wait out a Redis outage, not fail after some retries.
    this.#client = connectRedis(
      options.redis,
      { maxRetriesPerRequest: null },
      { logger: this.#logger, link: 'the webhook worker' },
    );
    this.#clock = new FailureClock({
      redis: this.#client,
      keyPrefix: `${prefix}:${name}:`,
      disableAfterMs: this.#disableAfterMs,
    });
    this.#worker = new Worker<WebhookMessage, DeliveryResult>(name, this.#process, {
      connection: this.#client,
      prefix,
      concurrency: positiveInteger('concurrency', options.concurrency, 64),
      lockDuration: positive('lockDurationMs', options.lockDurationMs, 30_000),
      stalledInterval: positive('stalledIntervalMs', options.stalledIntervalMs, 30_000),
      maxStalledCount: positiveInteger('maxStalledCount', options.maxStalledCount, 10),
      settings: { backoffStrategy: this.#backoff },
    });
    this.#worker.on('failed', this.#onFailed);
    this.#worker.on('stalled', (jobId) =>
      this.#logger.warn({ jobId }, 'webhook job stalled (its worker stopped); attempting it again'),
    );
    this.#worker.on('error', (err) => {
      if (isCommandError(this.#client)) this.#logger.warn({ err }, 'webhook worker Redis error');
    });
  }

  /**
   * Stops taking jobs and waits up to `timeoutMs` for the attempts in flight. Attempts still
   * running then are aborted and their jobs left active: their locks expire and any replica's
   * stalled check retries them, without counting an attempt. Returns within about
   * `timeoutMs` + 1 s whatever Redis does.
   * @param timeoutMs - @defaultValue 10_000
   */
  close(timeoutMs = 10_000): Promise<void> {
    this.#closing ??= this.#close(timeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    // BullMQ's graceful close waits for its connection to be ready, forever when Redis is
    // unreachable; without Redis no job's outcome can be recorded, so there is nothing to wait for.
    const closed = this.#worker.close(this.#client.status !== 'ready');
    const deadline = setTimeout(() => {
      this.#logger.warn(
        { running: this.#inFlight.size, timeoutMs },
        'webhook attempts still running at shutdown; leaving their jobs to stall and be retried',
      );
      this.#cutOff = true;
      for (const job of this.#inFlight) job.abort();
    }, timeoutMs);
    try {
      // Redis may also go away during the close: the aborted attempts are then never recorded.
      await Promise.race([closed, sleep(timeoutMs + CLOSE_GRACE_MS, undefined, { ref: false })]);
    } finally {
      clearTimeout(deadline);
      // A close cut short leaves BullMQ's own blocking connection reconnecting, which would
      // keep the process alive: drop it too (a no-op after a close that finished).
      this.#worker.disconnect().catch(() => {});
      this.#client.disconnect();
    }
  }

  readonly #process = (job: WebhookJob, token?: string): Promise<DeliveryResult> => {
    const cutOff = new AbortController();
    const abandoned = new Promise<never>((_, reject) => {
      // BullMQ leaves a job that throws DelayedError where it is: active, its lock expiring.
      const abandon = () => reject(new DelayedError('abandoned'));
      cutOff.signal.addEventListener('abort', abandon, { once: true });
    });
    abandoned.catch(() => {});
    this.#inFlight.add(cutOff);
    if (this.#cutOff) cutOff.abort();
    const delivery = this.#deliver(job, token, cutOff.signal);
    return Promise.race([delivery, abandoned]).finally(() => this.#inFlight.delete(cutOff));
  };

  async #deliver(
    job: WebhookJob,
    token: string | undefined,
    cutOff: AbortSignal,
  ): Promise<DeliveryResult> {
    const message = job.data;
    const active = await this.#isActive(message.subscriptionId);
    if (active === undefined) return this.#holdBack(job, token, this.#cooldownMs, 'hook failed');
    if (!active) {
      const fields = { jobId: job.id, subscriptionId: message.subscriptionId };
      this.#logger.debug(fields, 'subscription inactive; dropping the webhook job');
      return { delivered: false, reason: 'subscription inactive' };
    }
    const destination = originOf(message.url);
    const pass = await this.#gate.acquire(destination);
    if (!pass.admitted) return this.#holdBack(job, token, pass.delayMs, pass.reason);
    const startedAt = Date.now();
    const outcome = await this.#attempt(job, cutOff);
    const now = Date.now();
    if (cutOff.aborted) {
      pass.settle('abandoned', now);
      throw new DelayedError('abandoned');
    }
    this.#circuitChanged(destination, pass.settle(outcome.kind, now));
    this.#attempted(job, destination, outcome, now - startedAt);
    return this.#conclude(message, outcome);
  }

  /** `undefined` when the hook failed: nobody can tell, so the job waits a cooldown. */
  async #isActive(subscriptionId: string): Promise<boolean | undefined> {
    try {
      return await this.#options.hooks.isActive(subscriptionId);
    } catch (err) {
      this.#logger.error({ err, subscriptionId }, 'isActive hook failed; holding the job back');
      return undefined;
    }
  }

  /** Back to the delayed set without counting an attempt (BullMQ patterns/process-step-jobs). */
  async #holdBack(
    job: WebhookJob,
    token: string | undefined,
    delayMs: number,
    reason: string,
  ): Promise<never> {
    this.#logger.debug({ jobId: job.id, reason, delayMs }, 'holding a webhook job back');
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  async #attempt(job: WebhookJob, cutOff: AbortSignal): Promise<AttemptOutcome> {
    try {
      return await this.#options.attempt(job.data, cutOff);
    } catch (err) {
      this.#logger.error({ err, jobId: job.id }, 'webhook attempt threw; counting it as retryable');
      const reason = `attempt failed: ${err instanceof Error ? err.message : String(err)}`;
      return { kind: 'retry', reason, overload: false };
    }
  }

  #attempted(
    job: WebhookJob,
    destination: string,
    outcome: AttemptOutcome,
    latencyMs: number,
  ): void {
    const attempt = job.attemptsMade + 1;
    const status = 'status' in outcome ? outcome.status : undefined;
    this.#logger.debug(
      { jobId: job.id, attempt, destination, outcome: outcome.kind, status, latencyMs },
      'webhook attempt',
    );
    try {
      this.#options.hooks.onAttempt?.(job.data, outcome, attempt, latencyMs);
    } catch (err) {
      this.#logger.error({ err }, 'onAttempt hook failed');
    }
  }

  #circuitChanged(destination: string, change: CircuitChange): void {
    if (change === 'opened') {
      this.#logger.warn(
        { destination, cooldownMs: this.#cooldownMs },
        'webhook destination failing; holding its jobs back',
      );
    } else if (change === 'closed') {
      this.#logger.info({ destination }, 'webhook destination answering again');
    }
  }

  async #conclude(message: WebhookMessage, outcome: AttemptOutcome): Promise<DeliveryResult> {
    switch (outcome.kind) {
      case 'delivered':
        await this.#bestEffort('clearing the failure clock', () =>
          this.#clock.succeeded(message.url),
        );
        return { delivered: true, status: outcome.status };
      case 'retry':
        await this.#failed(message.url);
        throw new RetryableDeliveryError(outcome.reason, outcome);
      case 'permanent':
        await this.#failed(message.url);
        throw new PermanentDeliveryError(outcome.reason, outcome.status);
      case 'gone':
        await this.#bestEffort('onGone hook', () =>
          this.#options.hooks.onGone(message.subscriptionId),
        );
        throw new PermanentDeliveryError('410 Gone: the subscription ends', 410);
    }
  }

  /**
   * Any failed attempt runs the URL's failure clock, a permanent one too: a receiver that
   * answers 401 to everything fails as surely as one that is down.
   */
  async #failed(url: string): Promise<void> {
    let expired = false;
    await this.#bestEffort('running the failure clock', async () => {
      expired = await this.#clock.failed(url, Date.now());
    });
    if (!expired) return;
    this.#logger.warn(
      { destination: originOf(url), disableAfterMs: this.#disableAfterMs },
      'webhook destination failing for too long; disabling it',
    );
    await this.#bestEffort('onDisabled hook', () => this.#options.hooks.onDisabled(url));
  }

  /** Bookkeeping and hooks must not change a delivery's outcome; their failures are logged. */
  async #bestEffort(what: string, task: () => unknown): Promise<void> {
    try {
      await task();
    } catch (err) {
      this.#logger.error({ err }, `${what} failed`);
    }
  }

  /** BullMQ passes the number of the attempt that failed, from 1; -1 fails the job. */
  readonly #backoff = (attemptsMade: number, _type?: string, err?: Error): number => {
    const hint = err instanceof RetryableDeliveryError ? err : {};
    return this.#schedule.delayAfter(attemptsMade, hint) ?? -1;
  };

  /** Logs each failure once: retries at info, final failures at warn. */
  readonly #onFailed = (job: WebhookJob | undefined, err: Error): void => {
    const fields = {
      jobId: job?.id,
      attempt: job?.attemptsMade,
      destination: job && originOf(job.data.url),
      reason: err.message,
    };
    if (job !== undefined && job.finishedOn === undefined) {
      this.#logger.info({ ...fields, delayMs: job.delay }, 'webhook delivery failed; will retry');
    } else if (err instanceof RetryableDeliveryError) {
      this.#logger.warn(fields, 'webhook delivery failed; no attempts left');
    } else {
      this.#logger.warn(fields, 'webhook delivery failed for good');
    }
  };
}

/**
 * Where a message goes, as logs and the destination gate name it: the origin only, since
 * webhook URLs often carry a token in their path or query.
 */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
