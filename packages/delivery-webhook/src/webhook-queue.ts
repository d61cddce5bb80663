import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { positive } from './option-checks.js';
import { connectRedis, isCommandError, type QueueLocation, queueKeys } from './queue-connection.js';
import { RetrySchedule, type RetryScheduleOptions } from './retry-schedule.js';
import type { WebhookMessage } from './webhook-message.js';

export interface WebhookQueueOptions extends QueueLocation {
  logger: Logger;
  /**
   * The retry schedule, for the number of attempts each job gets (one more than its delays).
   * Give the workers the same. @defaultValue Svix's: 8 attempts
   */
  retry?: RetryScheduleOptions;
  /**
   * How long a delivered job is kept. This is also the window in which enqueueing the same
   * message id again adds nothing: once BullMQ has removed the job, the id is free again
   * (docs: guide/jobs/job-ids.md). @defaultValue 3_600_000 (1 h)
   */
  keepCompletedMs?: number;
  /**
   * How long a failed job is kept, for operators to inspect or retry.
   * @defaultValue 604_800_000 (7 days)
   */
  keepFailedMs?: number;
}

/** Jobs per state, for metrics. */
export interface WebhookQueueCounts {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
  completed: number;
}

/** The name of the custom backoff strategy; the workers' `backoffStrategy` serves it. */
const WEBHOOK_BACKOFF = 'webhook-schedule';

/**
 * The producer side of the durable webhook queue: one BullMQ job per message, keyed by the
 * message id, so every replica that saw an event may enqueue it and one job results.
 *
 * Its Redis connection fails fast (`enableOfflineQueue: false`): while Redis is down,
 * `enqueue` rejects at once instead of piling messages up in memory (BullMQ docs,
 * patterns/failing-fast-when-redis-is-down.md).
 */
export class WebhookQueue {
  readonly #queue: Queue<WebhookMessage>;
  readonly #client: Redis | Cluster;

  constructor(options: WebhookQueueOptions) {
    const { name, prefix } = queueKeys(options);
    const keepCompletedMs = positive('keepCompletedMs', options.keepCompletedMs, 3_600_000);
    const keepFailedMs = positive('keepFailedMs', options.keepFailedMs, 604_800_000);
    const logger = options.logger;
    this.#client = connectRedis(
      options.redis,
      { enableOfflineQueue: false },
      { logger, link: 'the webhook queue' },
    );
    this.#queue = new Queue<WebhookMessage>(name, {
      connection: this.#client,
      prefix,
      defaultJobOptions: {
        attempts: new RetrySchedule(options.retry).attempts,
        backoff: { type: WEBHOOK_BACKOFF },
        // BullMQ's ages are seconds. Removal is lazy: it runs when a later job finishes.
        removeOnComplete: { age: Math.ceil(keepCompletedMs / 1000) },
        removeOnFail: { age: Math.ceil(keepFailedMs / 1000) },
        // The failure reason says what went wrong; stacks of control-flow errors are noise.
        stackTraceLimit: 0,
      },
    });
    this.#queue.on('error', (err) => {
      if (isCommandError(this.#client)) logger.warn({ err }, 'webhook queue Redis error');
    });
  }

  /** The BullMQ queue itself, for the operators' dashboard (bull-board). */
  get bullQueue(): Queue<WebhookMessage> {
    return this.#queue;
  }

  /**
   * Adds the message as a job whose id is the message id; `false` when a job with that id
   * exists already (another replica, or an earlier call, enqueued it).
   *
   * BullMQ's add returns the same for a new and an existing id, so each call names its job
   * with a fresh token and reads back which name the job got: the same token means this call
   * created it. That holds when replicas race, where checking for the id beforehand would not.
   */
  async enqueue(message: WebhookMessage): Promise<boolean> {
    assertJobId(message.id);
    const claim = randomUUID();
    await this.#queue.add(claim, message, { jobId: message.id });
    return (await this.#client.hget(this.#queue.toKey(message.id), 'name')) === claim;
  }

  async counts(): Promise<WebhookQueueCounts> {
    const counts = await this.#queue.getJobCounts(
      'waiting',
      'delayed',
      'active',
      'failed',
      'completed',
    );
    return {
      waiting: counts.waiting ?? 0,
      delayed: counts.delayed ?? 0,
      active: counts.active ?? 0,
      failed: counts.failed ?? 0,
      completed: counts.completed ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.#queue.close();
    this.#client.disconnect();
  }
}

/**
 * BullMQ refuses custom ids with `:` (its key separator) and integer ids (they could clash with
 * its own counter); the `webhook-id` header wants no `.` either (Standard Webhooks signs
 * `id.timestamp.body`). Checked here so the caller gets a clear error.
 */
function assertJobId(id: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(id) || /^-?\d+$/.test(id)) {
    throw new TypeError(
      `invalid message id ${JSON.stringify(id)}: use [A-Za-z0-9_-], not only digits`,
    );
  }
}
