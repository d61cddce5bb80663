import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from '../src/retry-after.js';

/** Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date, minus two minutes. */
const NOW = Date.UTC(1994, 10, 6, 8, 47, 37);

describe('parseRetryAfter', () => {
  it('reads delta-seconds, fractions included, as milliseconds', () => {
    assert.equal(parseRetryAfter('7', NOW), 7_000);
    assert.equal(parseRetryAfter('0', NOW), 0);
    assert.equal(parseRetryAfter('1.5', NOW), 1_500);
    assert.equal(parseRetryAfter(' 120 ', NOW), 120_000);
  });

  it('reads the three HTTP-date forms as the time left until then', () => {
    for (const date of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
    ]) {
      assert.equal(parseRetryAfter(date, NOW), 120_000, date);
    }
  });

  it('ignores a value that is absent, malformed, negative or already past', () => {
    for (const value of [
      undefined,
      '',
      'soon',
      '-5',
      '+5',
      '1e3',
      '5 seconds',
      '0x10',
      'Sun, 06 Nov 1994 08:47:36 GMT',
      '1994-11-06T08:49:37Z',
      'Sun, 06 Nov 1994 08:49:37 PST',
    ]) {
      assert.equal(parseRetryAfter(value, NOW), undefined, String(value));
    }
  });

  it('ignores delta-seconds too large to be a number', () => {
    assert.equal(parseRetryAfter('9'.repeat(400), NOW), undefined);
  });
});
