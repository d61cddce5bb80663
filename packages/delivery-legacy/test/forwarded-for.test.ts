import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { forwardedForChain } from '../src/forwarded-for.js';

const PEER = '192.0.2.1';

const cases: [name: string, headers: IncomingHttpHeaders, expected: string[]][] = [
  ['no header: the peer only', {}, [PEER]],
  [
    'X-Forwarded-For list',
    { 'x-forwarded-for': '10.0.0.1, 10.0.0.2' },
    ['10.0.0.1', '10.0.0.2', PEER],
  ],
  [
    'tabs and no spaces',
    { 'x-forwarded-for': '10.0.0.1,\t10.0.0.2' },
    ['10.0.0.1', '10.0.0.2', PEER],
  ],
  ['quoted entries', { 'x-forwarded-for': '"10.0.0.1", 10.0.0.2' }, ['10.0.0.1', '10.0.0.2', PEER]],
  [
    'bracketed IPv6, canonicalised',
    { 'x-forwarded-for': '[2001:DB8:0::1]' },
    ['2001:db8::1', PEER],
  ],
  ['quoted bracketed IPv6', { 'x-forwarded-for': '"[::1]"' }, ['::1', PEER]],
  ['plain IPv6', { 'x-forwarded-for': '2001:db8::2' }, ['2001:db8::2', PEER]],
  ['a trailing comma is not an entry', { 'x-forwarded-for': '10.0.0.1,' }, ['10.0.0.1', PEER]],
  ['an empty header is an empty list', { 'x-forwarded-for': '', 'x-real-ip': '10.9.9.9' }, [PEER]],
  [
    'one non-IP entry voids the list, X-Real-IP is next',
    { 'x-forwarded-for': '10.0.0.1, unknown', 'x-real-ip': '10.9.9.9' },
    ['10.9.9.9', PEER],
  ],
  ['an IPv4 with a port voids the list', { 'x-forwarded-for': '10.0.0.1:8080' }, [PEER]],
  ['an empty entry voids the list', { 'x-forwarded-for': ',10.0.0.1' }, [PEER]],
  ['an IPv6 zone voids the list', { 'x-forwarded-for': 'fe80::1%eth0' }, [PEER]],
  ['leading zeros void the list', { 'x-forwarded-for': '010.0.0.1' }, [PEER]],
  [
    'repeated X-Forwarded-For headers are one list',
    { 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] },
    ['10.0.0.1', '10.0.0.2', PEER],
  ],
  ['X-Real-IP, quoted and bracketed', { 'x-real-ip': '"[2001:db8::3]"' }, ['2001:db8::3', PEER]],
  [
    'an invalid X-Real-IP ends the search',
    { 'x-real-ip': 'nope', forwarded: 'for=10.0.0.1' },
    [PEER],
  ],
  [
    'Forwarded for= values, ports and quotes allowed',
    { forwarded: 'for=10.0.0.1;proto=https, for="[2001:db8::4]:4711", For=10.0.0.2:80' },
    ['10.0.0.1', '2001:db8::4', '10.0.0.2', PEER],
  ],
  [
    'Forwarded elements that are unknown, obfuscated or malformed are skipped',
    { forwarded: 'for=unknown, for=_hidden, for=10.0.0.1;by=bogus, junk, for=10.0.0.3' },
    ['10.0.0.3', PEER],
  ],
  ['Forwarded without for=', { forwarded: 'by=10.0.0.1' }, [PEER]],
  ['Forwarded with an unbracketed IPv6', { forwarded: 'for=2001:db8::1' }, [PEER]],
];

describe('forwardedForChain', () => {
  for (const [name, headers, expected] of cases) {
    it(name, () => {
      assert.deepEqual(forwardedForChain(headers, PEER), expected);
    });
  }

  it('maps an IPv4-mapped IPv6 peer to plain IPv4', () => {
    assert.deepEqual(forwardedForChain({}, '::ffff:127.0.0.1'), ['127.0.0.1']);
  });

  it('keeps an IPv6 peer', () => {
    assert.deepEqual(forwardedForChain({ 'x-real-ip': '10.0.0.1' }, '::1'), ['10.0.0.1', '::1']);
  });

  it('appends no peer on a Unix socket', () => {
    assert.deepEqual(forwardedForChain({ 'x-forwarded-for': '10.0.0.1' }, undefined), ['10.0.0.1']);
    assert.deepEqual(forwardedForChain({}, undefined), []);
  });
});
