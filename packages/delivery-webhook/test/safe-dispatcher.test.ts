import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { LookupAddress } from 'node:dns';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { createTestCertificates, startReceiver, type TestReceiver } from '@gw/testkit';
import { AddressPolicy } from '../src/address-policy.js';
import {
  DestinationRefusedError,
  type HostLookup,
  SafeDispatcher,
  type SafeDispatcherOptions,
} from '../src/safe-dispatcher.js';

/** A lookup answering from a table, counting its calls per name. */
function fakeLookup(answers: Record<string, readonly string[] | (() => readonly string[])>) {
  const calls: string[] = [];
  const lookup: HostLookup = async (hostname) => {
    calls.push(hostname);
    const answer = answers[hostname];
    if (answer === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    }
    const addresses = typeof answer === 'function' ? answer() : answer;
    return addresses.map((address): LookupAddress => ({ address, family: isIP(address) }));
  };
  return { lookup, calls };
}

/** Counts the TCP sockets this process opens (`net.connect`), whoever opens them. */
function countClientSockets() {
  const counter = { count: 0 };
  const onSocket = () => counter.count++;
  subscribe('net.client.socket', onSocket);
  return { counter, stop: () => unsubscribe('net.client.socket', onSocket) };
}

describe('SafeDispatcher', () => {
  /** Listens on 127.0.0.1 only, so other loopback addresses refuse connections. */
  let receiver: TestReceiver;
  /** Dual-stack, so IPv6 and IPv4-mapped literals would reach it too if they were let through. */
  let dualStack: TestReceiver;
  const dispatchers: SafeDispatcher[] = [];
  const dispatcher = (options: SafeDispatcherOptions = {}) => {
    const created = new SafeDispatcher(options);
    dispatchers.push(created);
    return created;
  };
  const get = async (target: SafeDispatcher, origin: string) => {
    const response = await target.request({ origin, path: '/', method: 'GET' });
    return { status: response.statusCode, body: await response.body.text() };
  };
  const loopbackAllowed = () => new AddressPolicy({ allow: ['127.0.0.0/8', '::1'] });

  before(async () => {
    receiver = await startReceiver();
    dualStack = await startReceiver(undefined, { host: '::' });
  });
  afterEach(() => {
    receiver.connections = 0;
    dualStack.connections = 0;
  });
  after(async () => {
    await Promise.all(dispatchers.map((created) => created.close()));
    await Promise.all([receiver.close(), dualStack.close()]);
  });

  it('refuses loopback IP literals without connecting or resolving', async () => {
    const { lookup, calls } = fakeLookup({});
    const sockets = countClientSockets();
    // The URL parser writes an IPv4-mapped address in hex: both forms reach the policy so.
    const mapped = {
      host: '::ffff:7f00:1',
      reason: '::ffff:7f00:1 embeds 127.0.0.1, a loopback address',
    };
    const refused: Record<string, { host: string; reason: string }> = {
      '127.0.0.1': { host: '127.0.0.1', reason: '127.0.0.1 is a loopback address' },
      '[::1]': { host: '::1', reason: '::1 is a loopback address' },
      '[::ffff:127.0.0.1]': mapped,
      '[::ffff:7f00:1]': mapped,
    };
    try {
      for (const [host, expected] of Object.entries(refused)) {
        await assert.rejects(get(dispatcher({ lookup }), `http://${host}:${dualStack.port}`), {
          name: 'DestinationRefusedError',
          ...expected,
        });
      }
    } finally {
      sockets.stop();
    }
    assert.equal(dualStack.connections, 0);
    assert.equal(sockets.counter.count, 0);
    assert.deepEqual(calls, []);
  });

  it('refuses metadata, private and unspecified addresses at once, opening no socket', async () => {
    const sockets = countClientSockets();
    const target = dispatcher();
    const started = performance.now();
    try {
      for (const [host, kind] of [
        ['169.254.169.254', 'a link-local address (cloud metadata)'],
        ['10.0.0.1', 'a private address'],
        ['192.168.1.1', 'a private address'],
        ['172.16.0.1', 'a private address'],
        ['0.0.0.0', 'an unspecified address'],
      ]) {
        const err = await get(target, `http://${host}`).catch((err: unknown) => err);
        assert.ok(err instanceof DestinationRefusedError, String(err));
        assert.equal(err.reason, `${host} is ${kind}`);
        assert.equal(err.message, `refused to connect to ${host}: ${host} is ${kind}`);
        assert.equal(err.code, 'GW_DELIVERY_SSRF_BLOCKED');
      }
    } finally {
      sockets.stop();
    }
    assert.equal(sockets.counter.count, 0);
    assert.ok(performance.now() - started < 1_000);
  });

  it('refuses a name that resolves to a private address', async () => {
    const { lookup, calls } = fakeLookup({ 'hooks.example': ['127.0.0.1'] });
    await assert.rejects(get(dispatcher({ lookup }), `http://hooks.example:${receiver.port}`), {
      name: 'DestinationRefusedError',
      reason: '127.0.0.1 is a loopback address',
      host: 'hooks.example',
    });
    assert.deepEqual(calls, ['hooks.example']);
    assert.equal(receiver.connections, 0);
  });

  it('refuses a name with one private address among public ones, in any order', async () => {
    const { lookup } = fakeLookup({
      'mixed.example': ['93.184.216.34', '2606:2800:220:1::1', '10.0.0.1'],
      'mixed-first.example': ['127.0.0.1', '93.184.216.34'],
    });
    const sockets = countClientSockets();
    try {
      await assert.rejects(get(dispatcher({ lookup }), 'http://mixed.example'), {
        name: 'DestinationRefusedError',
        reason: '10.0.0.1 is a private address',
      });
      await assert.rejects(
        get(dispatcher({ lookup }), `http://mixed-first.example:${receiver.port}`),
        { name: 'DestinationRefusedError', reason: '127.0.0.1 is a loopback address' },
      );
    } finally {
      sockets.stop();
    }
    assert.equal(sockets.counter.count, 0);
    assert.equal(receiver.connections, 0);
  });

  it('connects to loopback once the operator allow-lists it', async () => {
    const { lookup } = fakeLookup({ 'hooks.example': ['127.0.0.1'] });
    const target = dispatcher({ policy: loopbackAllowed(), lookup });
    const port = dualStack.port;
    assert.deepEqual(await get(target, `http://127.0.0.1:${port}`), { status: 200, body: 'ok' });
    assert.equal((await get(target, `http://[::1]:${port}`)).status, 200);
    assert.equal((await get(target, `http://[::ffff:127.0.0.1]:${port}`)).status, 200);
    assert.equal((await get(target, `http://hooks.example:${port}`)).status, 200);
    assert.equal(dualStack.connections, 4);
    // The Host header still names the URL's host, not the address connected to.
    assert.equal(dualStack.requests.at(-1)?.headers.host, `hooks.example:${port}`);
  });

  it('connects to the address it checked, so DNS rebinding cannot redirect it', async () => {
    // 127.0.0.1 plays a public address (allow-listed), 127.0.0.2 an internal one; the name
    // answers the public one first and the internal one afterwards.
    const internal = await startReceiver(undefined, { host: '127.0.0.2', port: receiver.port });
    try {
      const answers = [['127.0.0.1'], ['127.0.0.2']];
      const { lookup, calls } = fakeLookup({ 'rebind.example': () => answers.shift() ?? [] });
      const policy = new AddressPolicy({ allow: ['127.0.0.1'] });
      const origin = `http://rebind.example:${receiver.port}`;
      assert.equal((await get(dispatcher({ policy, lookup }), origin)).status, 200);
      // One lookup for the connection, and the connection went to its (checked) answer.
      assert.deepEqual(calls, ['rebind.example']);
      assert.deepEqual(receiver.localAddresses.slice(-1), ['127.0.0.1']);
      assert.equal(internal.connections, 0);
      // A new connection resolves again, and is refused for the internal answer.
      await assert.rejects(get(dispatcher({ policy, lookup }), origin), {
        reason: '127.0.0.2 is a loopback address',
      });
      assert.equal(calls.length, 2);
      assert.equal(internal.connections, 0);
    } finally {
      await internal.close();
    }
  });

  it('keeps connections alive per origin, resolving once per connection', async () => {
    const { lookup, calls } = fakeLookup({ 'hooks.example': ['127.0.0.1'] });
    const target = dispatcher({ policy: loopbackAllowed(), lookup });
    for (let i = 0; i < 10; i++) await get(target, `http://hooks.example:${receiver.port}`);
    // undici may open a second connection while the first finishes its answer; no more.
    assert.ok(receiver.connections <= 2, `${receiver.connections} connections`);
    assert.equal(calls.length, receiver.connections);
  });

  it('falls back to the next checked address when one refuses the connection', async () => {
    // Nothing listens on 127.0.0.3 at this port.
    const { lookup } = fakeLookup({ 'hooks.example': ['127.0.0.3', '127.0.0.1'] });
    const target = dispatcher({ policy: loopbackAllowed(), lookup });
    assert.equal((await get(target, `http://hooks.example:${receiver.port}`)).status, 200);
  });

  it('reports every address when none answers', async () => {
    const { lookup } = fakeLookup({ 'down.example': ['127.0.0.3', '127.0.0.4'] });
    const target = dispatcher({ policy: loopbackAllowed(), lookup });
    const err = await get(target, `http://down.example:${receiver.port}`).catch((e: unknown) => e);
    assert.ok(err instanceof AggregateError, String(err));
    assert.deepEqual(
      err.errors.map((inner: NodeJS.ErrnoException) => inner.code),
      ['ECONNREFUSED', 'ECONNREFUSED'],
    );
  });

  it('passes DNS failures through, and treats an empty answer as one', async () => {
    const { lookup } = fakeLookup({ 'empty.example': [] });
    const target = dispatcher({ lookup });
    await assert.rejects(get(target, 'http://missing.example'), { code: 'ENOTFOUND' });
    await assert.rejects(get(target, 'http://empty.example'), { code: 'ENOTFOUND' });
  });

  it('resolves with the system resolver by default', async () => {
    // localhost resolves without a DNS server, to loopback: refused, with the system's answer.
    await assert.rejects(get(dispatcher(), `http://localhost:${receiver.port}`), {
      name: 'DestinationRefusedError',
      host: 'localhost',
      reason: /is a loopback address$/,
    });
    assert.equal(receiver.connections, 0);
  });

  it('refuses an invalid connect timeout', () => {
    assert.throws(() => new SafeDispatcher({ connectTimeoutMs: 0 }), RangeError);
  });
});

describe('SafeDispatcher over TLS', () => {
  let dir: string;
  let receiver: TestReceiver;
  let ca: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'safe-dispatcher-'));
    // The certificate names the host only: verifying it against the IP connected to would fail.
    const certs = createTestCertificates(dir, { serverNames: ['hooks.test'] });
    ca = readFileSync(certs.caPath, 'utf8');
    receiver = await startReceiver(undefined, {
      tls: {
        key: readFileSync(certs.serverKeyPath, 'utf8'),
        cert: readFileSync(certs.serverCertPath, 'utf8'),
      },
    });
  });
  after(async () => {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const tlsDispatcher = (names: Record<string, string[]>) =>
    new SafeDispatcher({
      policy: new AddressPolicy({ allow: ['127.0.0.0/8'] }),
      lookup: fakeLookup(names).lookup,
      ca: [ca],
    });

  it('sends the host name as SNI and checks the certificate against it', async () => {
    const target = tlsDispatcher({ 'hooks.test': ['127.0.0.1'] });
    try {
      const response = await target.request({
        origin: `https://hooks.test:${receiver.port}`,
        path: '/',
        method: 'GET',
      });
      assert.equal(await response.body.text(), 'ok');
      assert.deepEqual(receiver.servernames, ['hooks.test']);
      assert.deepEqual(receiver.localAddresses, ['127.0.0.1']);
    } finally {
      await target.close();
    }
  });

  it('fails when the certificate does not name the host, though the address is the same', async () => {
    const target = tlsDispatcher({ 'other.test': ['127.0.0.1'] });
    try {
      await assert.rejects(
        target.request({ origin: `https://other.test:${receiver.port}`, path: '/', method: 'GET' }),
        { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      );
    } finally {
      await target.close();
    }
  });

  it('trusts only known CAs', async () => {
    const target = new SafeDispatcher({
      policy: new AddressPolicy({ allow: ['127.0.0.0/8'] }),
      lookup: fakeLookup({ 'hooks.test': ['127.0.0.1'] }).lookup,
    });
    try {
      await assert.rejects(
        target.request({ origin: `https://hooks.test:${receiver.port}`, path: '/', method: 'GET' }),
        { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      );
    } finally {
      await target.close();
    }
  });
});
