/**
 * Svix's schedule (reference/ecosystem.md §3.2): after the first attempt, retries 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h and 10 h later; the last attempt comes about 27.5 h after the first.
 */
export const SVIX_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
]);

export interface RetryScheduleOptions {
  /**
   * The wait before each retry: the first entry follows the first attempt. A message gets one
   * attempt more than there are entries. Give the queue and its workers the same schedule.
   * @defaultValue {@link SVIX_RETRY_DELAYS_MS}
   */
  delaysMs?: readonly number[];
  /**
   * Each delay is spread by up to this fraction either way, so the messages that failed together
   * (a receiver's outage) do not all come back together. @defaultValue 0.2 (Svix's ±20 %)
   */
  jitter?: number;
  /** The shortest wait after a 429 or a timeout (Svix's overload penalty). @defaultValue 60_000 */
  overloadMinimumMs?: number;
  /** A uniform random number in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/** What a failed attempt said about when to try again (a `retry` AttemptOutcome). */
export interface RetryHint {
  /** The receiver's `Retry-After`. */
  retryAfterMs?: number;
  /** A 429 or a timeout: the receiver is overloaded. */
  overload?: boolean;
}

/**
 * When to try a failed message again. Pure but for the injected random number: BullMQ's
 * `backoffStrategy` calls it with the number of the attempt that just failed.
 */
export class RetrySchedule {
  /** Attempts a message gets in all: the first, then one per delay. */
  readonly attempts: number;
  readonly #delaysMs: readonly number[];
  readonly #jitter: number;
  readonly #overloadMinimumMs: number;
  readonly #random: () => number;

  constructor(options: RetryScheduleOptions = {}) {
    this.#delaysMs = Object.freeze([...(options.delaysMs ?? SVIX_RETRY_DELAYS_MS)]);
    if (!this.#delaysMs.every((ms) => ms >= 0 && Number.isFinite(ms))) {
      throw new RangeError(`invalid retry delays [${this.#delaysMs.join(', ')}] ms`);
    }
    this.#jitter = options.jitter ?? 0.2;
    if (!(this.#jitter >= 0 && this.#jitter < 1)) {
      throw new RangeError(`invalid retry jitter ${this.#jitter}`);
    }
    this.#overloadMinimumMs = options.overloadMinimumMs ?? 60_000;
    if (!(this.#overloadMinimumMs >= 0 && Number.isFinite(this.#overloadMinimumMs))) {
      throw new RangeError(`invalid overload minimum ${this.#overloadMinimumMs} ms`);
    }
    this.#random = options.random ?? Math.random;
    this.attempts = this.#delaysMs.length + 1;
  }

  /**
   * The wait before attempt `attempt + 1`, after attempt `attempt` (from 1) failed; `undefined`
   * once the schedule is exhausted and the message fails.
   *
   * Jitter applies to the schedule only, so the bounds after it hold exactly: an overloaded
   * receiver waits at least the overload minimum, and a `Retry-After` is honoured but kept
   * between 1× and 2× that delay (Svix), so a receiver can neither hurry a retry nor push it
   * beyond the schedule's reach.
   */
  delayAfter(attempt: number, hint: RetryHint = {}): number | undefined {
    const scheduled = this.#delaysMs[attempt - 1];
    if (scheduled === undefined) return undefined;
    let delay = scheduled * (1 + this.#jitter * (2 * this.#random() - 1));
    if (hint.overload) delay = Math.max(delay, this.#overloadMinimumMs);
    if (hint.retryAfterMs !== undefined) {
      delay = Math.min(Math.max(hint.retryAfterMs, delay), 2 * delay);
    }
    return Math.round(delay);
  }
}
