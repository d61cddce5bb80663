import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedAuthorizationError, parseBasicAuth } from '../src/basic-auth.js';

describe('parseBasicAuth', () => {
  it('decodes login and password, the password keeping its colons', () => {
    const header = `Basic ${Buffer.from('ünï:pa:ss').toString('base64')}`;
    assert.deepEqual(parseBasicAuth(header), { login: 'ünï', password: 'pa:ss' });
    assert.deepEqual(parseBasicAuth(`basic ${btoa(':')}`), { login: '', password: '' });
  });

  it('answers undefined when there is no header', () => {
    assert.equal(parseBasicAuth(undefined), undefined);
  });

  it('refuses other schemes, bad base64 and credentials without a colon', () => {
    for (const header of [
      '',
      'Basic',
      'Basic a b',
      'Bearer x',
      'Basic ***',
      `Basic ${btoa('x')}`,
    ]) {
      assert.throws(() => parseBasicAuth(header), MalformedAuthorizationError, header);
    }
  });
});
