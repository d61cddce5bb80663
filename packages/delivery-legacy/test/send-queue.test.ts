import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { QueuedMessage } from '../src/push-message.js';
import { MAX_FILE_IDS, SendQueue } from '../src/send-queue.js';

const file = (...fileIds: number[]): QueuedMessage => ({ type: 'file', fileIds });
const unknownFile: QueuedMessage = { type: 'file', fileIds: null };
const activity: QueuedMessage = { type: 'activity' };
const notification: QueuedMessage = { type: 'notification' };
const ms = (n: number) => n;
const s = (n: number) => n * 1000;

describe('SendQueue (upstream unit tests, factor 1.0)', () => {
  it('test_send_queue_100: 100 connections debounce file messages for 10 s', () => {
    const queue = new SendQueue(1, 15);
    const start = 1_000_000;
    queue.push(activity, start);
    queue.push(file(1), start);
    queue.push(file(2), start + ms(10));
    assert.deepEqual(queue.drain(start + ms(20), 100), []);
    assert.deepEqual(queue.drain(start + ms(200), 100), [file(1, 2), activity]);
    queue.push(file(3), start + s(5));
    queue.push(file(4), start + s(6));
    assert.deepEqual(queue.drain(start + s(10), 100), []);
    assert.deepEqual(queue.drain(start + s(70), 100), [file(3, 4)]);
    assert.deepEqual(queue.drain(start + s(300), 100), []);
  });

  it('test_send_queue_1: one connection debounces file messages for 1 s', () => {
    const queue = new SendQueue(1, 15);
    const start = 1_000_000;
    queue.push(activity, start);
    queue.push(file(1), start);
    queue.push(file(2), start + ms(10));
    assert.deepEqual(queue.drain(start + ms(20), 1), []);
    assert.deepEqual(queue.drain(start + ms(200), 1), [file(1, 2), activity]);
    queue.push(file(3), start + ms(1200));
    queue.push(file(4), start + ms(1300));
    assert.deepEqual(queue.drain(start + s(1), 1), []);
    assert.deepEqual(queue.drain(start + s(3), 1), [file(3, 4)]);
    assert.deepEqual(queue.drain(start + s(5), 1), []);
  });
});

describe('SendQueue', () => {
  it('deduplicates known file ids in order', () => {
    const queue = new SendQueue(1, 15);
    queue.push(file(3, 1), 0);
    queue.push(file(1, 2, 2), 0);
    assert.deepEqual(queue.drainAll(0), [file(3, 1, 2)]);
  });

  it('turns any merge with an unknown update into an unknown update, either way round', () => {
    const queue = new SendQueue(1, 15);
    queue.push(file(1), 0);
    queue.push(unknownFile, 0);
    queue.push(file(2), 0);
    assert.deepEqual(queue.drainAll(0), [unknownFile]);
    queue.push(unknownFile, 0);
    queue.push(file(2), 0);
    assert.deepEqual(queue.drainAll(0), [unknownFile]);
  });

  it(`gives up on ids past ${MAX_FILE_IDS} so memory per connection stays bounded`, () => {
    const queue = new SendQueue(1, 15);
    const ids = Array.from({ length: MAX_FILE_IDS }, (_, index) => index + 1);
    for (const id of ids) queue.push(file(id), 0);
    assert.deepEqual(queue.drainAll(0), [file(...ids)]);
    for (let id = 1; id <= MAX_FILE_IDS + 1; id++) queue.push(file(id), 0);
    assert.deepEqual(queue.drainAll(0), [unknownFile]);
  });

  it('keeps one activity and one notification however many were pushed', () => {
    const queue = new SendQueue(1, 15);
    for (let i = 0; i < 5; i++) {
      queue.push(notification, 0);
      queue.push(activity, 0);
    }
    assert.deepEqual(queue.drain(200, 1), [activity, notification]);
    assert.equal(queue.isEmpty, true);
  });

  it('sends the first message of each type without debounce, after the 100 ms merge window', () => {
    const queue = new SendQueue(1, 15);
    queue.push(notification, 0);
    assert.deepEqual(queue.drain(100, 1000), []);
    assert.deepEqual(queue.drain(101, 1000), [notification]);
  });

  it('flushes under a steady stream once the message has waited a second', () => {
    const queue = new SendQueue(1, 15);
    for (let t = 0; t < 1000; t += 50) {
      queue.push(file(t), t);
      assert.deepEqual(queue.drain(t + 1, 1), [], `nothing due at ${t + 1} ms`);
    }
    queue.push(file(1000), 1000);
    assert.equal(queue.drain(1001, 1)[0]?.type, 'file');
  });

  it('debounces notifications by a fixed second regardless of connections and jitter', () => {
    const queue = new SendQueue(1.5, 15);
    queue.push(notification, 0);
    assert.deepEqual(queue.drain(150, 1000), [notification]);
    queue.push(notification, 200);
    assert.deepEqual(queue.drain(1150, 1000), []);
    assert.deepEqual(queue.drain(1151, 1000), [notification]);
  });

  it('scales the file debounce by the jitter factor and caps it at maxDebounceTime', () => {
    const queue = new SendQueue(0.5, 15);
    queue.push(activity, 0);
    assert.deepEqual(queue.drain(200, 10_000), [activity]);
    queue.push(activity, 300);
    assert.deepEqual(queue.drain(200 + 7_500, 10_000), []);
    assert.deepEqual(queue.drain(200 + 7_501, 10_000), [activity]);
  });

  it('drainAll ignores every timing rule', () => {
    const queue = new SendQueue(1, 15);
    queue.push(file(1), 0);
    queue.push(notification, 0);
    assert.deepEqual(queue.drainAll(0), [file(1), notification]);
    queue.push(notification, 0);
    assert.deepEqual(queue.drainAll(0), [notification]);
    assert.equal(queue.isEmpty, true);
  });
});
