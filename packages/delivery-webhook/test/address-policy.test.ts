import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressPolicy } from '../src/address-policy.js';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();

  it('refuses every non-public IPv4 range, naming what the address is', () => {
    const refused: Record<string, string> = {
      '127.0.0.1': '127.0.0.1 is a loopback address',
      '127.255.255.254': '127.255.255.254 is a loopback address',
      '0.0.0.0': '0.0.0.0 is an unspecified address',
      '0.1.2.3': '0.1.2.3 is a "this network" address',
      '10.0.0.1': '10.0.0.1 is a private address',
      '172.16.0.1': '172.16.0.1 is a private address',
      '172.31.255.255': '172.31.255.255 is a private address',
      '192.168.1.1': '192.168.1.1 is a private address',
      '169.254.169.254': '169.254.169.254 is a link-local address (cloud metadata)',
      '169.254.1.1': '169.254.1.1 is a link-local address',
      '100.64.0.1': '100.64.0.1 is a shared (carrier-grade NAT) address',
      '100.127.255.255': '100.127.255.255 is a shared (carrier-grade NAT) address',
      '192.0.0.8': '192.0.0.8 is an IETF protocol assignment address',
      '192.0.2.1': '192.0.2.1 is a documentation address',
      '198.51.100.1': '198.51.100.1 is a documentation address',
      '203.0.113.7': '203.0.113.7 is a documentation address',
      '198.18.0.1': '198.18.0.1 is a benchmarking address',
      '198.19.255.255': '198.19.255.255 is a benchmarking address',
      '192.88.99.1': '192.88.99.1 is a 6to4 relay anycast address',
      '224.0.0.1': '224.0.0.1 is a multicast address',
      '239.255.255.250': '239.255.255.250 is a multicast address',
      '240.0.0.1': '240.0.0.1 is a reserved address',
      '255.255.255.255': '255.255.255.255 is the broadcast address',
    };
    for (const [address, reason] of Object.entries(refused)) {
      assert.equal(policy.refusal(address), reason);
      assert.equal(policy.allows(address), false, address);
    }
  });

  it('allows public IPv4 addresses, including the neighbours of refused ranges', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.216.34',
      '9.255.255.255',
      '11.0.0.0',
      '172.15.255.255',
      '172.32.0.0',
      '100.63.255.255',
      '100.128.0.0',
      '192.169.0.0',
      '223.255.255.255',
    ]) {
      assert.equal(policy.refusal(address), undefined, address);
    }
  });

  it('refuses every non-public IPv6 range', () => {
    const refused: Record<string, string> = {
      '::1': '::1 is a loopback address',
      '0:0:0:0:0:0:0:1': '0:0:0:0:0:0:0:1 is a loopback address',
      '::': ':: is an unspecified address',
      'fc00::1': 'fc00::1 is a private (unique local) address',
      'fd12:3456::1': 'fd12:3456::1 is a private (unique local) address',
      'fe80::1': 'fe80::1 is a link-local address',
      'fe80::1%eth0': 'fe80::1%eth0 is a link-local address',
      'febf::1': 'febf::1 is a link-local address',
      'fec0::1': 'fec0::1 is a site-local address',
      'ff02::1': 'ff02::1 is a multicast address',
      '100::1': '100::1 is a discard-only address',
      '2001:db8::1': '2001:db8::1 is a documentation address',
      '3fff::1': '3fff::1 is a documentation address',
      '2001:0:4136:e378::1': '2001:0:4136:e378::1 is a Teredo address',
      '2001:2::1': '2001:2::1 is a benchmarking address',
      '2002:7f00:1::': '2002:7f00:1:: is a 6to4 address',
      '2002:808:808::': '2002:808:808:: is a 6to4 address',
      '64:ff9b:1::1': '64:ff9b:1::1 is a local-use NAT64 address',
      '5f00::1': '5f00::1 is an SRv6 address',
      '1::1': '1::1 is a reserved address',
      '4000::1': '4000::1 is a reserved address',
    };
    for (const [address, reason] of Object.entries(refused)) {
      assert.equal(policy.refusal(address), reason);
    }
  });

  it('judges IPv4-mapped, -compatible and NAT64 addresses by the IPv4 address they embed', () => {
    const refused: Record<string, string> = {
      '::ffff:127.0.0.1': '::ffff:127.0.0.1 embeds 127.0.0.1, a loopback address',
      '::ffff:7f00:1': '::ffff:7f00:1 embeds 127.0.0.1, a loopback address',
      '0:0:0:0:0:ffff:7f00:0001': '0:0:0:0:0:ffff:7f00:0001 embeds 127.0.0.1, a loopback address',
      '::FFFF:A9FE:A9FE':
        '::FFFF:A9FE:A9FE embeds 169.254.169.254, a link-local address (cloud metadata)',
      '::ffff:10.0.0.1': '::ffff:10.0.0.1 embeds 10.0.0.1, a private address',
      '::ffff:0.0.0.0': '::ffff:0.0.0.0 embeds 0.0.0.0, an unspecified address',
      '::127.0.0.1': '::127.0.0.1 embeds 127.0.0.1, a loopback address',
      '::7f00:1': '::7f00:1 embeds 127.0.0.1, a loopback address',
      '::c0a8:101': '::c0a8:101 embeds 192.168.1.1, a private address',
      '64:ff9b::10.0.0.1': '64:ff9b::10.0.0.1 embeds 10.0.0.1, a private address',
      '64:ff9b::a9fe:a9fe':
        '64:ff9b::a9fe:a9fe embeds 169.254.169.254, a link-local address (cloud metadata)',
    };
    for (const [address, reason] of Object.entries(refused)) {
      assert.equal(policy.refusal(address), reason);
    }
    for (const address of ['::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '::808:808']) {
      assert.equal(policy.refusal(address), undefined, address);
    }
  });

  it('allows public IPv6 addresses', () => {
    for (const address of ['2606:4700::1111', '2a00:1450:4001:82a::200e', '2001:4860::8888']) {
      assert.equal(policy.refusal(address), undefined, address);
    }
  });

  it('refuses what is not an IP address', () => {
    assert.equal(policy.refusal('localhost'), 'localhost is not an IP address');
    assert.equal(policy.refusal('[::1]'), '[::1] is not an IP address');
    assert.equal(policy.refusal(''), ' is not an IP address');
  });

  it('lets allow-listed addresses and ranges through, and only those', () => {
    const allowing = new AddressPolicy({ allow: ['127.0.0.0/8', '10.1.2.3', '::1', 'fd00::/8'] });
    for (const address of ['127.0.0.1', '127.9.9.9', '10.1.2.3', '::1', 'fd00::5']) {
      assert.equal(allowing.refusal(address), undefined, address);
    }
    for (const address of ['10.1.2.4', '192.168.1.1', 'fc00::1', '169.254.169.254']) {
      assert.notEqual(allowing.refusal(address), undefined, address);
    }
  });

  it('applies an IPv4 allow-list entry to the IPv6 forms that embed it', () => {
    const allowing = new AddressPolicy({ allow: ['127.0.0.0/8'] });
    for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:2', '64:ff9b::7f00:1']) {
      assert.equal(allowing.refusal(address), undefined, address);
    }
    // IPv6 loopback is a different address: allowing 127.0.0.0/8 does not allow it.
    assert.equal(allowing.refusal('::1'), '::1 is a loopback address');
  });

  it('refuses an allow-list entry that is not an address or range', () => {
    for (const entry of [
      'localhost',
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '::/129',
      'x/8',
    ]) {
      assert.throws(
        () => new AddressPolicy({ allow: [entry] }),
        new TypeError(`allow-list entry "${entry}" is not an IP address or CIDR range`),
      );
    }
  });
});

describe('AddressPolicy.isAllowListed', () => {
  it('knows only what the operator listed, also in IPv4-mapped form', () => {
    const policy = new AddressPolicy({ allow: ['127.0.0.0/8'] });
    assert.equal(policy.isAllowListed('127.0.0.1'), true);
    assert.equal(policy.isAllowListed('::ffff:127.0.0.1'), true);
    assert.equal(policy.isAllowListed('8.8.8.8'), false, 'public, but not listed');
    assert.equal(policy.isAllowListed('::1'), false);
    assert.equal(policy.isAllowListed('not-an-ip'), false);
  });
});
