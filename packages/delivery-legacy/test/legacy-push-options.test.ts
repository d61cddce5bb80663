import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { resolveLegacyPushOptions } from '../src/legacy-push-options.js';

const required = {
  verifyCredentials: async () => 'uid',
  logger: pino({ level: 'silent' }),
};

describe('resolveLegacyPushOptions', () => {
  it('fills in upstream defaults', () => {
    const options = resolveLegacyPushOptions({ ...required, authTimeoutMs: undefined });
    assert.equal(options.maxDebounceTime, 15);
    assert.equal(options.debounceDisabled, false);
    assert.equal(options.maxConnectionTimeMs, 0);
    assert.equal(options.connectionsPerUser, 65);
    assert.equal(options.authTimeoutMs, 15_000);
    assert.equal(options.preAuthTtlMs, 15_000);
    assert.equal(options.pingIntervalMs, 30_000);
    assert.equal(options.sendHighWaterMark, 64 * 1024);
    assert.equal(options.unixSocket, false);
  });

  it('rejects a negative or non-finite value, naming the option', () => {
    assert.throws(
      () => resolveLegacyPushOptions({ ...required, pingIntervalMs: -1 }),
      /pingIntervalMs must be a finite number >= 1/,
    );
    assert.throws(
      () => resolveLegacyPushOptions({ ...required, connectionsPerUser: Number.NaN }),
      /connectionsPerUser/,
    );
  });
});
