import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCustomMessage, formatQueuedMessage, toQueuedMessage } from '../src/push-message.js';

describe('push messages', () => {
  it('formats file messages as notify_file_id only for listeners with known ids', () => {
    assert.equal(
      formatQueuedMessage({ type: 'file', fileIds: [1, 2, 3] }, true),
      'notify_file_id [1,2,3]',
    );
    assert.equal(
      String(formatQueuedMessage({ type: 'file', fileIds: [1, 2, 3] }, false)),
      'notify_file',
    );
    assert.equal(String(formatQueuedMessage({ type: 'file', fileIds: null }, true)), 'notify_file');
  });

  it('formats activity and notification messages', () => {
    assert.equal(String(formatQueuedMessage({ type: 'activity' }, true)), 'notify_activity');
    assert.equal(
      String(formatQueuedMessage({ type: 'notification' }, false)),
      'notify_notification',
    );
  });

  it('turns a file event without a change into an unknown-file update', () => {
    const base = { type: 'file', user: 'u', receivedAt: 0 } as const;
    assert.deepEqual(toQueuedMessage({ ...base, change: null }), { type: 'file', fileIds: null });
    const change = { fileId: 9, storage: 1, storagePath: 'files/x', userPaths: ['files/x'] };
    assert.deepEqual(toQueuedMessage({ ...base, change }), { type: 'file', fileIds: [9] });
  });

  it('formats custom messages with and without a body', () => {
    assert.equal(formatCustomMessage({ message: 'hello', body: null }), 'hello');
    assert.equal(
      formatCustomMessage({ message: 'hello', body: { foo: 'bar' } }),
      'hello {"foo":"bar"}',
    );
    assert.equal(formatCustomMessage({ message: 'n', body: 0 }), 'n 0');
    assert.equal(formatCustomMessage({ message: 's', body: 'a b' }), 's "a b"');
  });
});
