import { once } from 'node:events';
import net from 'node:net';
import { freePort } from './redis-server.js';

export interface TcpProxyOptions {
  /** The real server that connections are forwarded to while the proxy is up. */
  target: { host: string; port: number };
  /**
   * What a client meets while the proxy is down: `'refused'`, nothing listens (a stopped server);
   * `'silent'`, the connection is accepted and never answered (a black-holed or hung server).
   * @defaultValue 'refused'
   */
  whileDown?: 'refused' | 'silent';
}

/**
 * A loopback port standing in for a database or other TCP server, so a test can make it
 * unreachable and bring it back without touching the real server. Starts down.
 */
export interface TcpProxy {
  /** The loopback port clients connect to; the same whether up or down. */
  readonly port: number;
  readonly isUp: boolean;
  /** Starts forwarding new connections to the target; silently held ones are cut first. */
  up(): Promise<void>;
  /** Stops forwarding and cuts every open connection, as a crashed server does. */
  down(): Promise<void>;
  /** Goes down for good, releasing the port. */
  close(): Promise<void>;
}

/** A proxy on a free 127.0.0.1 port, down until `up()`. */
export async function createTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const whileDown = options.whileDown ?? 'refused';
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let forwarding = false;
  let server: net.Server | undefined;

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset from either side is the outage being simulated, not a test failure.
    socket.on('error', () => socket.destroy());
  };
  const cutAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const accept = (client: net.Socket) => {
    track(client);
    if (!forwarding) return;
    const upstream = net.connect(options.target.port, options.target.host);
    track(upstream);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const listen = async () => {
    if (server !== undefined) return;
    server = net.createServer(accept);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
  };
  const stopListening = async () => {
    const running = server;
    server = undefined;
    if (running === undefined) return;
    const closed = once(running, 'close');
    running.close();
    cutAll();
    await closed;
  };

  if (whileDown === 'silent') await listen();
  return {
    port,
    get isUp() {
      return forwarding;
    },
    async up() {
      cutAll();
      forwarding = true;
      await listen();
    },
    async down() {
      forwarding = false;
      if (whileDown === 'silent') cutAll();
      else await stopListening();
    },
    async close() {
      forwarding = false;
      await stopListening();
    },
  };
}
