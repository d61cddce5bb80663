import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createTcpProxy } from '../src/index.js';

/** Answers every line it receives with the same line upper-cased. */
async function startShoutServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (data) => socket.write(data.toString().toUpperCase()));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** What one connection to `port` meets: an answer to 'hi', a refusal, a reset or silence. */
function attempt(port: number, waitMs = 200): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('silence');
    }, waitMs);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('connect', () => socket.write('hi'));
    socket.once('data', (data) => finish(data.toString()));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    socket.once('end', () => finish('closed'));
  });
}

describe('createTcpProxy', () => {
  let target: Awaited<ReturnType<typeof startShoutServer>>;

  before(async () => {
    target = await startShoutServer();
  });
  after(() => target.close());

  it('refuses while down, forwards once up, and refuses again on the same port after down', async () => {
    const proxy = await createTcpProxy({ target: { host: '127.0.0.1', port: target.port } });
    try {
      assert.equal(await attempt(proxy.port), 'ECONNREFUSED');
      await proxy.up();
      assert.equal(proxy.isUp, true);
      assert.equal(await attempt(proxy.port), 'HI');
      await proxy.down();
      assert.equal(await attempt(proxy.port), 'ECONNREFUSED');
    } finally {
      await proxy.close();
    }
  });

  it('cuts open connections when it goes down, as a crashed server does', async () => {
    const proxy = await createTcpProxy({ target: { host: '127.0.0.1', port: target.port } });
    await proxy.up();
    try {
      const socket = net.connect(proxy.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write('ping');
      await once(socket, 'data');
      const closed = once(socket, 'close');
      await proxy.down();
      await closed;
    } finally {
      await proxy.close();
    }
  });

  it('accepts and never answers while down when silent, and cuts those connections when up', async () => {
    const proxy = await createTcpProxy({
      target: { host: '127.0.0.1', port: target.port },
      whileDown: 'silent',
    });
    try {
      assert.equal(await attempt(proxy.port), 'silence');
      const held = net.connect(proxy.port, '127.0.0.1');
      held.on('error', () => undefined);
      await once(held, 'connect');
      const cut = once(held, 'close');
      await proxy.up();
      await cut;
      assert.equal(await attempt(proxy.port), 'HI');
      await proxy.down();
      assert.equal(await attempt(proxy.port), 'silence');
    } finally {
      await proxy.close();
    }
  });
});
