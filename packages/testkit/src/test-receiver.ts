import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request the receiver got, its body read in full. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers a request whose body has been read. */
export type ReceiverHandler = (
  request: ReceivedRequest,
  res: http.ServerResponse,
  req: http.IncomingMessage,
) => void;

export interface TestReceiver {
  port: number;
  /** `http://127.0.0.1:<port>` (or `https:`). */
  origin: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** The local address each connection arrived on, e.g. `127.0.0.1`. */
  localAddresses: string[];
  /** The SNI name each TLS connection asked for (`false` or `null` for none). */
  servernames: (string | false | null)[];
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export interface TestReceiverOptions {
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue 0, any free port */
  port?: number;
  /** Serves HTTPS with this key and certificate (PEM). @defaultValue plain HTTP */
  tls?: { key: string; cert: string };
}

/** A webhook receiver on loopback that records connections and requests. */
export async function startReceiver(
  handler: ReceiverHandler = (_request, res) => res.end('ok'),
  options: TestReceiverOptions = {},
): Promise<TestReceiver> {
  const sockets = new Set<Socket>();
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      receiver.requests.push(request);
      handler(request, res, req);
    });
  };
  const server = options.tls
    ? https.createServer(options.tls, listener)
    : http.createServer(listener);
  const receiver: TestReceiver = {
    port: 0,
    origin: '',
    connections: 0,
    localAddresses: [],
    servernames: [],
    requests: [],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  server.on('secureConnection', (socket: TLSSocket) => {
    receiver.servernames.push(socket.servername);
  });
  server.on('connection', (socket: Socket) => {
    receiver.connections++;
    receiver.localAddresses.push(socket.localAddress ?? '');
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  receiver.port = (server.address() as AddressInfo).port;
  receiver.origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${receiver.port}`;
  return receiver;
}
