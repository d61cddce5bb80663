// The floor for bench:legacy's fan-out: a bare ws server with nothing but the sockets, sending
// one pre-encoded frame to every client when its parent says so. Run as a child process.
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const frame = Buffer.from('notify_file');

server.on('listening', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message !== 'broadcast') return;
  for (const client of server.clients) client.send(frame, { binary: false });
});
process.on('disconnect', () => server.close());
