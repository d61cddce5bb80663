import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RetrySchedule, SVIX_RETRY_DELAYS_MS } from '../src/retry-schedule.js';

/** `random` that makes the jitter factor exactly 1. */
const noJitter = () => 0.5;

describe('RetrySchedule', () => {
  it("follows Svix's schedule by default: 8 attempts, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h", () => {
    const schedule = new RetrySchedule({ random: noJitter });
    assert.equal(schedule.attempts, 8);
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => schedule.delayAfter(attempt));
    assert.deepEqual(delays, [5e3, 300e3, 1_800e3, 7_200e3, 18_000e3, 36_000e3, 36_000e3]);
    assert.deepEqual(delays, SVIX_RETRY_DELAYS_MS);
  });

  it('says undefined once the schedule is exhausted, so the job fails', () => {
    const schedule = new RetrySchedule({ delaysMs: [50, 100, 200] });
    assert.equal(schedule.attempts, 4);
    assert.equal(schedule.delayAfter(4), undefined);
    assert.equal(schedule.delayAfter(0), undefined);
  });

  it('spreads each delay by at most ±20 %', () => {
    const low = new RetrySchedule({ delaysMs: [1_000], random: () => 0 });
    const high = new RetrySchedule({ delaysMs: [1_000], random: () => 0.999_999 });
    assert.equal(low.delayAfter(1), 800);
    assert.equal(high.delayAfter(1), 1_200);
    const real = new RetrySchedule({ delaysMs: [1_000] });
    for (let i = 0; i < 1_000; i++) {
      const delay = real.delayAfter(1) ?? 0;
      assert.ok(delay >= 800 && delay <= 1_200, `${delay} out of range`);
    }
  });

  it('honours Retry-After, clamped to between 1× and 2× the scheduled delay', () => {
    const schedule = new RetrySchedule({ delaysMs: [100, 1_000], random: noJitter });
    assert.equal(schedule.delayAfter(2, { retryAfterMs: 1_500 }), 1_500);
    assert.equal(schedule.delayAfter(2, { retryAfterMs: 60_000 }), 2_000);
    assert.equal(schedule.delayAfter(2, { retryAfterMs: 10 }), 1_000);
    assert.equal(schedule.delayAfter(1, { retryAfterMs: 0 }), 100);
  });

  it('keeps the clamp around the jittered delay, so Retry-After is never cut short', () => {
    const schedule = new RetrySchedule({ delaysMs: [1_000], random: () => 0 });
    assert.equal(schedule.delayAfter(1, { retryAfterMs: 900 }), 900);
    assert.equal(schedule.delayAfter(1, { retryAfterMs: 5_000 }), 1_600);
  });

  it('makes overload (429, timeouts) wait at least the minimum, jitter or not', () => {
    const schedule = new RetrySchedule({
      delaysMs: [50, 1_000],
      overloadMinimumMs: 150,
      random: () => 0,
    });
    assert.equal(schedule.delayAfter(1, { overload: true }), 150);
    assert.equal(schedule.delayAfter(2, { overload: true }), 800);
    assert.equal(new RetrySchedule({ random: noJitter }).delayAfter(1, { overload: true }), 60_000);
  });

  it('clamps Retry-After around the overload minimum when both apply', () => {
    const schedule = new RetrySchedule({
      delaysMs: [50],
      overloadMinimumMs: 150,
      random: noJitter,
    });
    assert.equal(schedule.delayAfter(1, { overload: true, retryAfterMs: 200 }), 200);
    assert.equal(schedule.delayAfter(1, { overload: true, retryAfterMs: 10_000 }), 300);
  });

  it('refuses invalid settings', () => {
    assert.throws(() => new RetrySchedule({ delaysMs: [5, -1] }), RangeError);
    assert.throws(() => new RetrySchedule({ delaysMs: [Number.NaN] }), RangeError);
    assert.throws(() => new RetrySchedule({ jitter: 1 }), RangeError);
    assert.throws(() => new RetrySchedule({ overloadMinimumMs: -5 }), RangeError);
  });
});
