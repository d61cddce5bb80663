import type { AttemptOutcome } from './webhook-message.js';

export interface DestinationGateOptions {
  /**
   * Attempts in flight per destination, until it has shown that it answers fast, and whenever
   * it does not: failing, slow, or with an attempt in flight for longer than `fastAttemptMs`.
   */
  perDestinationConcurrency: number;
  /**
   * Attempts in flight for a destination that answers fast. A single receiver taking a burst
   * needs several: with the worker busy, each attempt also waits for this process's turn.
   * @defaultValue 4 × perDestinationConcurrency
   */
  fastDestinationConcurrency?: number;
  /** The longest average attempt that counts as fast. @defaultValue 250 */
  fastAttemptMs?: number;
  /** Consecutive retryable failures of a destination that open its circuit. */
  circuitBreakerFailures: number;
  /**
   * How long an open circuit holds its destination's jobs back before one attempt may probe
   * it; also the longest a job is held back for a busy destination.
   */
  circuitBreakerCooldownMs: number;
  /**
   * How long `acquire` may keep a job waiting in this process for a busy destination that
   * answers fast, instead of holding it back through Redis. @defaultValue 100
   */
  maxQueueWaitMs?: number;
  /** A uniform random number in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/** A job that may not be attempted now: hold it back this long, then try again. */
export interface Hold {
  admitted: false;
  /** `busy`: the destination has its fill of attempts in flight; `circuit-open`: it is failing. */
  reason: 'busy' | 'circuit-open';
  delayMs: number;
}

/** How an attempt's result moved its destination's circuit. */
export type CircuitChange = 'opened' | 'closed' | undefined;

/** A slot for one attempt. Settle it exactly once, with the attempt's outcome. */
export interface Pass {
  admitted: true;
  /** `abandoned`: the attempt was cut off by a shutdown and says nothing about the destination. */
  settle(result: AttemptOutcome['kind'] | 'abandoned', now: number): CircuitChange;
}

interface Destination {
  /** Start times of the attempts in flight, oldest first. */
  starts: number[];
  /** Moving average of attempt durations; 0 before the first. */
  latencyMs: number;
  /** Consecutive retryable failures. */
  failures: number;
  /** The circuit is open until then; 0 when closed. Once past, one probe may pass. */
  openUntil: number;
  /** The probe of an open circuit is in flight. */
  probing: boolean;
  /** The earliest time the next job held back as `busy` may return. */
  nextRelease: number;
  /** Jobs waiting in this process for a slot, first come first served. */
  queue: Waiter[];
}

interface Waiter {
  /** Gives the job the slot that just freed (or a hold, when the circuit opened meanwhile). */
  wake(now: number): void;
}

/** The shortest hold: a held job must not spin between the worker and Redis. */
const MIN_HOLD_MS = 100;
/** Weight of the newest duration in the moving average. */
const LATENCY_WEIGHT = 0.2;
/** Jobs held by an open circuit return spread over this fraction of the cooldown after it. */
const OPEN_SPREAD = 0.2;

/**
 * Per destination (an origin) in this process: at most N attempts in flight, and a circuit
 * breaker. Open-source BullMQ has no per-group limits (reference/ecosystem.md §4.4), so a job the
 * gate refuses goes back to the delayed set without counting as an attempt, and its worker slot
 * serves other destinations: one slow or dead receiver cannot occupy the whole worker.
 *
 * Held jobs return paced: one per expected slot time (the average attempt duration, or the age
 * of the oldest attempt in flight, divided by N), so a backlog for a slow destination comes back
 * about as fast as it can be sent instead of all at once, over and over.
 */
export class DestinationGate {
  readonly #cap: number;
  readonly #fastCap: number;
  readonly #fastMs: number;
  readonly #failuresToOpen: number;
  readonly #cooldownMs: number;
  readonly #maxQueueWaitMs: number;
  readonly #random: () => number;
  readonly #destinations = new Map<string, Destination>();

  constructor(options: DestinationGateOptions) {
    this.#cap = options.perDestinationConcurrency;
    this.#fastCap = Math.max(this.#cap, options.fastDestinationConcurrency ?? 4 * this.#cap);
    this.#fastMs = options.fastAttemptMs ?? 250;
    this.#failuresToOpen = options.circuitBreakerFailures;
    this.#cooldownMs = options.circuitBreakerCooldownMs;
    this.#maxQueueWaitMs = options.maxQueueWaitMs ?? 100;
    this.#random = options.random ?? Math.random;
  }

  /** Destinations currently tracked: with attempts in flight, recent failures or held jobs. */
  get size(): number {
    return this.#destinations.size;
  }

  /**
   * {@link admit}, except that a job for a busy destination whose slots free up fast waits here
   * for one, up to `maxQueueWaitMs`: a round trip through Redis's delayed set costs more than
   * such a wait, and a burst to one fast receiver would otherwise keep bouncing. A destination
   * that slows down stops being queued for, and its waiters fall back to a hold when their time
   * is up, so it ties up at most a few worker slots for that long.
   */
  acquire(destination: string, now: () => number = Date.now): Promise<Pass | Hold> | Pass | Hold {
    const state = this.#destinations.get(destination);
    if (state === undefined || !this.#mayQueue(state, now())) return this.admit(destination, now());
    return new Promise((resolve) => {
      const waiter: Waiter = {
        wake: (at) => {
          clearTimeout(timer);
          resolve(this.admit(destination, at));
        },
      };
      const timer = setTimeout(() => {
        state.queue.splice(state.queue.indexOf(waiter), 1);
        resolve(this.admit(destination, now()));
      }, this.#maxQueueWaitMs);
      state.queue.push(waiter);
    });
  }

  /**
   * Busy, closed, known to answer (a new destination that hangs must not fill the queue), and
   * the expected wait for a slot, behind those queued already, is short.
   */
  #mayQueue(state: Destination, now: number): boolean {
    if (
      state.starts.length < this.#capOf(state, now) ||
      state.openUntil > 0 ||
      state.latencyMs === 0
    ) {
      return false;
    }
    const expectedWaitMs = (state.queue.length + 1) * this.#slotMs(state, now);
    return expectedWaitMs <= this.#maxQueueWaitMs;
  }

  /** How often a slot of the destination frees up, judging by its attempts. */
  #slotMs(state: Destination, now: number): number {
    return Math.max(state.latencyMs, oldestAgeMs(state, now)) / this.#capOf(state, now);
  }

  /** The attempts the destination may have in flight now. */
  #capOf(state: Destination, now: number): number {
    const fast =
      state.latencyMs > 0 &&
      state.latencyMs <= this.#fastMs &&
      state.failures === 0 &&
      oldestAgeMs(state, now) <= this.#fastMs;
    return fast ? this.#fastCap : this.#cap;
  }

  admit(destination: string, now: number): Pass | Hold {
    const state = this.#destinations.get(destination) ?? this.#track(destination);
    if (state.starts.length >= this.#capOf(state, now)) return this.#holdBusy(state, now);
    let probe = false;
    if (state.openUntil > 0) {
      if (now < state.openUntil || state.probing) return this.#holdOpen(state, now);
      state.probing = probe = true;
    }
    state.starts.push(now);
    let settled = false;
    return {
      admitted: true,
      settle: (result, at) => {
        if (settled) throw new Error('an attempt was settled twice');
        settled = true;
        return this.#settle(destination, state, { startedAt: now, probe }, result, at);
      },
    };
  }

  #track(destination: string): Destination {
    const state: Destination = {
      starts: [],
      latencyMs: 0,
      failures: 0,
      openUntil: 0,
      probing: false,
      nextRelease: 0,
      queue: [],
    };
    this.#destinations.set(destination, state);
    return state;
  }

  #settle(
    destination: string,
    state: Destination,
    attempt: { startedAt: number; probe: boolean },
    result: AttemptOutcome['kind'] | 'abandoned',
    now: number,
  ): CircuitChange {
    state.starts.splice(state.starts.indexOf(attempt.startedAt), 1);
    if (attempt.probe) state.probing = false;
    let change: CircuitChange;
    if (result !== 'abandoned') {
      const ms = now - attempt.startedAt;
      state.latencyMs =
        state.latencyMs === 0 ? ms : state.latencyMs + LATENCY_WEIGHT * (ms - state.latencyMs);
      change = result === 'retry' ? this.#failed(state, attempt.probe, now) : this.#answered(state);
    }
    const waiter = state.queue.shift();
    if (waiter !== undefined) waiter.wake(now);
    const idle = state.starts.length === 0 && state.failures === 0 && state.nextRelease <= now;
    if (idle && state.queue.length === 0) this.#destinations.delete(destination);
    return change;
  }

  #failed(state: Destination, probe: boolean, now: number): CircuitChange {
    state.failures++;
    if (!probe && (state.openUntil > 0 || state.failures < this.#failuresToOpen)) return undefined;
    state.openUntil = now + this.#cooldownMs;
    return 'opened';
  }

  /** Any answer but a retryable failure shows the destination is up, 4xx included. */
  #answered(state: Destination): CircuitChange {
    const wasOpen = state.openUntil > 0;
    state.failures = 0;
    state.openUntil = 0;
    return wasOpen ? 'closed' : undefined;
  }

  #holdBusy(state: Destination, now: number): Hold {
    const slotMs = this.#slotMs(state, now);
    const due = Math.max(now + MIN_HOLD_MS, state.nextRelease);
    state.nextRelease = due + slotMs;
    return { admitted: false, reason: 'busy', delayMs: Math.min(due - now, this.#cooldownMs) };
  }

  #holdOpen(state: Destination, now: number): Hold {
    const spread = this.#random() * OPEN_SPREAD * this.#cooldownMs;
    const delayMs = Math.max(MIN_HOLD_MS, state.openUntil - now + spread);
    return { admitted: false, reason: 'circuit-open', delayMs };
  }
}

/** How long the destination's oldest attempt in flight has run; 0 with none. */
function oldestAgeMs(state: Destination, now: number): number {
  return now - (state.starts[0] ?? now);
}
