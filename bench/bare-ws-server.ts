// The floor for the benchmarks' fan-outs: a bare ws server with nothing but the sockets, sending
// one pre-encoded text frame to every client when its parent says so. Run as a child process; its
// argument is the frame (bench:legacy's `notify_file` by default).
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const frame = Buffer.from(process.argv[2] ?? 'notify_file');

server.on('listening', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message !== 'broadcast') return;
  for (const client of server.clients) client.send(frame, { binary: false });
});
process.on('disconnect', () => server.close());
