import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { peerAddress, remoteAddress } from '../src/remote-address.js';

describe('remoteAddress', () => {
  it('takes the last X-Forwarded-For entry that is not a trusted proxy', () => {
    assert.equal(remoteAddress('127.0.0.1', '1.2.3.4, 5.6.7.8, 127.0.0.1, ::1'), '5.6.7.8');
  });

  it('strips ports and IPv6 brackets and skips entries that are not IPs', () => {
    assert.equal(remoteAddress('127.0.0.1', '9.9.9.9, 1.2.3.4:443'), '1.2.3.4');
    assert.equal(remoteAddress('::1', '[2001:db8::1]:8080'), '2001:db8::1');
    assert.equal(remoteAddress('127.0.0.1', '1.2.3.4, unknown'), '1.2.3.4');
  });

  it('answers the peer when it is not a trusted proxy or nothing usable was forwarded', () => {
    assert.equal(remoteAddress('10.0.0.5', '1.2.3.4'), '10.0.0.5');
    assert.equal(remoteAddress('127.0.0.1', undefined), '127.0.0.1');
    assert.equal(remoteAddress('127.0.0.1', 'garbage, 127.0.0.1'), '127.0.0.1');
  });

  it('shows an IPv4-mapped peer as plain IPv4', () => {
    assert.equal(peerAddress('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(peerAddress('::1'), '::1');
  });
});
