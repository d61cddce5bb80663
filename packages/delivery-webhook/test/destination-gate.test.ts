import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DestinationGate, type Hold, type Pass } from '../src/destination-gate.js';

const A = 'https://a.example';
const B = 'https://b.example';

function gate(overrides: Partial<ConstructorParameters<typeof DestinationGate>[0]> = {}) {
  return new DestinationGate({
    perDestinationConcurrency: 2,
    circuitBreakerFailures: 3,
    circuitBreakerCooldownMs: 10_000,
    random: () => 0,
    ...overrides,
  });
}

function admitted(result: Pass | Hold): Pass {
  assert.equal(result.admitted, true, `held back: ${JSON.stringify(result)}`);
  return result as Pass;
}

function held(result: Pass | Hold): Hold {
  assert.equal(result.admitted, false, 'admitted');
  return result as Hold;
}

describe('DestinationGate', () => {
  it('admits up to the per-destination cap, and other destinations regardless', () => {
    const g = gate();
    admitted(g.admit(A, 0));
    const second = admitted(g.admit(A, 0));
    assert.equal(held(g.admit(A, 0)).reason, 'busy');
    admitted(g.admit(B, 0));
    second.settle('delivered', 10);
    admitted(g.admit(A, 10));
  });

  it('paces the jobs it holds back for a busy destination by its attempt duration', () => {
    const g = gate();
    const first = admitted(g.admit(A, 0));
    admitted(g.admit(A, 0));
    first.settle('delivered', 400);
    admitted(g.admit(A, 400));
    // Attempts take 400 ms and two run at once: a slot frees every 200 ms or so.
    const delays = [1, 2, 3].map(() => held(g.admit(A, 400)).delayMs);
    assert.deepEqual(delays, [100, 300, 500]);
  });

  it('counts the age of a hanging attempt towards the pace, up to the cooldown', () => {
    const g = gate({ circuitBreakerCooldownMs: 5_000 });
    admitted(g.admit(A, 0));
    admitted(g.admit(A, 0));
    const delays = [1, 2, 3].map(() => held(g.admit(A, 8_000)).delayMs);
    assert.deepEqual(delays, [100, 4_100, 5_000]);
  });

  it('lets a destination that answers fast have four times the attempts in flight, until one hangs', () => {
    const g = gate();
    const first = admitted(g.admit(A, 0));
    admitted(g.admit(A, 0));
    first.settle('delivered', 20);
    // Answers in 20 ms: 8 in flight (one still running from before).
    for (let i = 0; i < 7; i++) admitted(g.admit(A, 20));
    assert.equal(held(g.admit(A, 20)).reason, 'busy');
    // The oldest attempt has run for over 250 ms: back to 2 for new ones.
    assert.equal(held(g.admit(A, 300)).reason, 'busy');
  });

  it('opens the circuit after N consecutive retryable failures, for the cooldown', () => {
    const g = gate({ perDestinationConcurrency: 10 });
    assert.equal(admitted(g.admit(A, 0)).settle('retry', 1), undefined);
    assert.equal(admitted(g.admit(A, 1)).settle('retry', 2), undefined);
    assert.equal(admitted(g.admit(A, 2)).settle('retry', 3), 'opened');
    const hold = held(g.admit(A, 1_003));
    assert.equal(hold.reason, 'circuit-open');
    assert.equal(hold.delayMs, 9_000);
    admitted(g.admit(B, 1_003));
  });

  it('forgives failures that a success interrupts, a 4xx included', () => {
    const g = gate();
    admitted(g.admit(A, 0)).settle('retry', 1);
    admitted(g.admit(A, 1)).settle('retry', 2);
    admitted(g.admit(A, 2)).settle('permanent', 3);
    admitted(g.admit(A, 3)).settle('retry', 4);
    admitted(g.admit(A, 4)).settle('retry', 5);
    admitted(g.admit(A, 5));
  });

  it('lets one probe through after the cooldown: success closes, failure reopens', () => {
    const g = gate({ perDestinationConcurrency: 10 });
    for (let i = 0; i < 3; i++) admitted(g.admit(A, 0)).settle('retry', 0);
    const probe = admitted(g.admit(A, 10_000));
    assert.equal(held(g.admit(A, 10_000)).reason, 'circuit-open');
    assert.equal(probe.settle('retry', 10_100), 'opened');
    assert.equal(held(g.admit(A, 10_200)).delayMs, 9_900);
    const next = admitted(g.admit(A, 20_100));
    assert.equal(next.settle('delivered', 20_200), 'closed');
    admitted(g.admit(A, 20_200));
    admitted(g.admit(A, 20_200));
  });

  it('spreads the jobs an open circuit holds over a fifth of the cooldown after it', () => {
    const g = gate({ perDestinationConcurrency: 10, random: () => 0.5 });
    for (let i = 0; i < 3; i++) admitted(g.admit(A, 0)).settle('retry', 0);
    assert.equal(held(g.admit(A, 0)).delayMs, 11_000);
  });

  it('lets an abandoned attempt free its slot and its probe without judging the destination', () => {
    const g = gate({ perDestinationConcurrency: 1 });
    for (let i = 0; i < 3; i++) admitted(g.admit(A, 0)).settle('retry', 0);
    assert.equal(admitted(g.admit(A, 10_000)).settle('abandoned', 10_001), undefined);
    admitted(g.admit(A, 10_002));
  });

  it('forgets destinations with nothing in flight, failing or held', () => {
    const g = gate();
    admitted(g.admit(A, 0)).settle('delivered', 5);
    assert.equal(g.size, 0);
    admitted(g.admit(A, 5)).settle('retry', 6);
    assert.equal(g.size, 1);
    admitted(g.admit(A, 6)).settle('delivered', 7);
    assert.equal(g.size, 0);
  });

  describe('acquire', () => {
    /** A destination with both slots taken, whose attempts have taken `latencyMs` so far. */
    const busy = (latencyMs: number) => {
      const g = gate({ maxQueueWaitMs: 50, fastDestinationConcurrency: 2 });
      const first = admitted(g.admit(A, 0));
      const second = admitted(g.admit(A, 0));
      first.settle('delivered', latencyMs);
      return { g, slots: [second, admitted(g.admit(A, latencyMs))] };
    };

    it('hands the next free slot of a fast destination to the job waiting in the process', async () => {
      const { g, slots } = busy(2);
      const waiting = g.acquire(A, () => 2);
      assert.ok(waiting instanceof Promise, 'queued, not held');
      slots[0]?.settle('delivered', 3);
      admitted(await waiting);
      // The slot went to the waiter: the destination is full again.
      assert.equal(held(g.admit(A, 3)).reason, 'busy');
    });

    it('falls back to a hold when no slot frees within the wait', async () => {
      const { g } = busy(2);
      const started = Date.now();
      assert.equal(held(await g.acquire(A, () => 2)).reason, 'busy');
      assert.ok(Date.now() - started >= 45, 'waited about maxQueueWaitMs');
    });

    it('holds at once for a slow destination, or one that has never answered', () => {
      assert.equal(held(busy(200).g.acquire(A, () => 200) as Hold).reason, 'busy');
      const fresh = gate();
      admitted(fresh.admit(B, 0));
      admitted(fresh.admit(B, 0));
      assert.equal(held(fresh.acquire(B, () => 1) as Hold).reason, 'busy');
    });

    it('admits at once while a slot is free', () => {
      admitted(gate().acquire(A) as Pass);
    });
  });

  it('refuses to settle an attempt twice', () => {
    const pass = admitted(gate().admit(A, 0));
    pass.settle('delivered', 1);
    assert.throws(() => pass.settle('delivered', 2), /twice/);
  });
});
