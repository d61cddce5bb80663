import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notificationId } from '../src/notification-id.js';

describe('notificationId', () => {
  it('is the same for the same parts, on any replica', () => {
    assert.equal(
      notificationId('Update', 'https://x/a', '', '5:e1'),
      notificationId('Update', 'https://x/a', '', '5:e1'),
    );
  });

  it('differs when any part differs, including where one part ends', () => {
    const ids = new Set([
      notificationId('Update', 'https://x/a', '', '5:e1'),
      notificationId('Update', 'https://x/a', '', '5:e2'),
      notificationId('Delete', 'https://x/a', '', '5:e1'),
      notificationId('Update', 'https://x/a', 'https://x/', '5:e1'),
      notificationId('ab', 'c'),
      notificationId('a', 'bc'),
    ]);
    assert.equal(ids.size, 6);
  });

  it('is a version 8 UUID URN', () => {
    assert.match(
      notificationId('x'),
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
