import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthenticationError,
  AuthenticationUnavailableError,
  BASIC_CHALLENGE,
  dpopChallenge,
} from '../src/authentication-error.js';

describe('AuthenticationError', () => {
  it('is a 401 carrying its error code, message and WWW-Authenticate value', () => {
    const cause = new Error('jose says no');
    const err = new AuthenticationError(
      'invalid_token',
      'access token expired',
      'DPoP algs="ES256"',
      {
        cause,
      },
    );
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'AuthenticationError');
    assert.equal(err.status, 401);
    assert.equal(err.error, 'invalid_token');
    assert.equal(err.message, 'access token expired');
    assert.equal(err.wwwAuthenticate, 'DPoP algs="ES256"');
    assert.equal(err.cause, cause);
  });
});

describe('AuthenticationUnavailableError', () => {
  it('is a 503 keeping its cause for the logs', () => {
    const cause = new Error('connect ECONNREFUSED');
    const err = new AuthenticationUnavailableError('Nextcloud could not check the credentials', {
      cause,
    });
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'AuthenticationUnavailableError');
    assert.equal(err.status, 503);
    assert.equal(err.cause, cause);
  });
});

describe('challenges', () => {
  it('offers Basic in the realm Nextcloud uses, in UTF-8 (RFC 7617)', () => {
    assert.equal(BASIC_CHALLENGE, 'Basic realm="Nextcloud", charset="UTF-8"');
  });

  it('lists the DPoP algorithms, and the error when a token or proof was refused (RFC 9449 §7.1)', () => {
    assert.equal(dpopChallenge(['ES256', 'RS256']), 'DPoP algs="ES256 RS256"');
    assert.equal(
      dpopChallenge(['ES256'], 'invalid_dpop_proof'),
      'DPoP algs="ES256", error="invalid_dpop_proof"',
    );
  });
});
