import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SubscriptionRequestError } from '../src/subscription-request-error.js';

describe('SubscriptionRequestError', () => {
  it('derives the status code from the error code', () => {
    assert.equal(new SubscriptionRequestError('GW_SOLID_UNPARSABLE', 'x').statusCode, 400);
    assert.equal(new SubscriptionRequestError('GW_SOLID_MEDIA_TYPE', 'x').statusCode, 415);
    assert.equal(new SubscriptionRequestError('GW_SOLID_JSON_LD', 'x').statusCode, 422);
    assert.equal(new SubscriptionRequestError('GW_SOLID_INVALID_CHANNEL', 'x').statusCode, 422);
  });

  it('carries the message and code', () => {
    const error = new SubscriptionRequestError(
      'GW_SOLID_INVALID_CHANNEL',
      'the channel has no topic',
    );
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'SubscriptionRequestError');
    assert.equal(error.code, 'GW_SOLID_INVALID_CHANNEL');
    assert.equal(error.message, 'the channel has no topic');
  });
});
