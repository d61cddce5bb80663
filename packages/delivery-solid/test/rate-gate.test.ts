import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Notification } from '../src/channel.js';
import { RateGate } from '../src/rate-gate.js';

function notification(state: string): Notification {
  return { id: `urn:uuid:${state}`, type: 'Update', object: 'https://x/a', state, published: 0 };
}

describe('RateGate', () => {
  it('sends the first notification at once and holds the rest of the window', () => {
    const gate = new RateGate();
    const sent: string[] = [];
    gate.offer('c', 60_000, notification('1'), (n) => sent.push(n.state ?? ''));
    gate.offer('c', 60_000, notification('2'), (n) => sent.push(n.state ?? ''));
    assert.deepEqual(sent, ['1']);
    gate.close();
  });

  it('sends the newest held notification when the window ends, never losing the last change', async () => {
    const gate = new RateGate();
    const sent: string[] = [];
    const send = (n: Notification) => sent.push(n.state ?? '');
    for (const state of ['1', '2', '3', '4']) gate.offer('c', 100, notification(state), send);
    await sleep(160);
    assert.deepEqual(sent, ['1', '4']);
    gate.offer('c', 100, notification('5'), send);
    assert.deepEqual(sent, ['1', '4'], 'the trailing send opened a new window');
    await sleep(160);
    assert.deepEqual(sent, ['1', '4', '5']);
    gate.close();
  });

  it('spaces channels independently', () => {
    const gate = new RateGate();
    const sent: string[] = [];
    gate.offer('a', 60_000, notification('a1'), (n) => sent.push(n.state ?? ''));
    gate.offer('b', 60_000, notification('b1'), (n) => sent.push(n.state ?? ''));
    assert.deepEqual(sent, ['a1', 'b1']);
    gate.close();
  });

  it('drops what it holds for a channel that is gone', async () => {
    const gate = new RateGate();
    const sent: string[] = [];
    const send = (n: Notification) => sent.push(n.state ?? '');
    gate.offer('c', 50, notification('1'), send);
    gate.offer('c', 50, notification('2'), send);
    gate.forget('c');
    await sleep(100);
    assert.deepEqual(sent, ['1']);
  });
});
