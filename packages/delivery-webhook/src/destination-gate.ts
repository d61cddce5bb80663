import type { AttemptOutcome } from './webhook-message.js';

export interface DestinationGateOptions {
  /** Attempts in flight per destination. */
  perDestinationConcurrency: number;
  /** Consecutive retryable failures of a destination that open its circuit. */
  circuitBreakerFailures: number;
  /**
   * How long an open circuit holds its destination's jobs back before one attempt may probe
   * it; also the longest a job is held back for a busy destination.
   */
  circuitBreakerCooldownMs: number;
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
  readonly #failuresToOpen: number;
  readonly #cooldownMs: number;
  readonly #random: () => number;
  readonly #destinations = new Map<string, Destination>();

  constructor(options: DestinationGateOptions) {
    this.#cap = options.perDestinationConcurrency;
    this.#failuresToOpen = options.circuitBreakerFailures;
    this.#cooldownMs = options.circuitBreakerCooldownMs;
    this.#random = options.random ?? Math.random;
  }

  /** Destinations currently tracked: with attempts in flight, recent failures or held jobs. */
  get size(): number {
    return this.#destinations.size;
  }

  admit(destination: string, now: number): Pass | Hold {
    const state = this.#destinations.get(destination) ?? this.#track(destination);
    if (state.starts.length >= this.#cap) return this.#holdBusy(state, now);
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
    const idle = state.starts.length === 0 && state.failures === 0 && state.nextRelease <= now;
    if (idle) this.#destinations.delete(destination);
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
    const oldestAgeMs = now - (state.starts[0] ?? now);
    const slotMs = Math.max(state.latencyMs, oldestAgeMs) / this.#cap;
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
