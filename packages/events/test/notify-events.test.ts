import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeNotifyMessage, NotifyDecodeError } from '../src/index.js';

describe('decodeNotifyMessage', () => {
  it('decodes a storage update', () => {
    const event = decodeNotifyMessage(
      'notify_storage_update',
      '{"storage":10,"path":"foo\\/bar","file_id":5,"extra":true}',
    );
    assert.deepEqual(event, {
      channel: 'notify_storage_update',
      payload: { storage: 10, path: 'foo/bar', file_id: 5 },
    });
  });

  it('defaults a missing custom body to null', () => {
    const event = decodeNotifyMessage('notify_custom', '{"user":"foo","message":"m"}');
    assert.deepEqual(event.payload, { user: 'foo', message: 'm', body: null });
  });

  it('decodes the bare-value control channels', () => {
    assert.equal(decodeNotifyMessage('notify_test_cookie', '123456').payload, 123456);
    assert.equal(decodeNotifyMessage('notify_signal', '"reset"').payload, 'reset');
    assert.equal(decodeNotifyMessage('notify_query', '"metrics"').payload, 'metrics');
    assert.deepEqual(decodeNotifyMessage('notify_config', '{"log_spec":"debug"}').payload, {
      log_spec: 'debug',
    });
  });

  it('rejects malformed JSON, wrong types and unknown channels with a reason', () => {
    const cases: [string, string, RegExp][] = [
      ['notify_activity', '{"user":', /not valid JSON/],
      ['notify_activity', '{"user":5}', /invalid payload/],
      ['notify_storage_update', '{"storage":-1,"path":"","file_id":1}', /invalid payload/],
      ['notify_storage_update', '{"storage":1,"path":"x"}', /invalid payload/],
      ['notify_signal', '"restart"', /invalid payload/],
      ['notify_nonsense', '{}', /unknown channel/],
    ];
    for (const [channel, raw, reason] of cases) {
      assert.throws(
        () => decodeNotifyMessage(channel, raw),
        (error: unknown) => error instanceof NotifyDecodeError && reason.test(error.message),
        `${channel} ${raw}`,
      );
    }
  });
});
