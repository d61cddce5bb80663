// A notify_push client of the benchmarks: the WebSocket handshake (user name, then password) of
// the Nextcloud desktop and mobile clients, resolved once the gateway says `authenticated`.
import { WebSocket } from 'ws';

export interface LegacyClient {
  socket: WebSocket;
  /** Called with every frame after `authenticated` (notify_file and the others). */
  onMessage: ((text: string) => void) | undefined;
}

/** Connects to `url` (the gateway's `/ws`) as `user`; rejects on an `err:` frame. */
export function connectLegacy(
  url: string,
  user: { uid: string; password: string },
): Promise<LegacyClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    const client: LegacyClient = { socket, onMessage: undefined };
    socket.once('open', () => {
      socket.send(user.uid);
      socket.send(user.password);
    });
    socket.on('message', (data) => {
      const text = data.toString();
      if (text === 'authenticated') resolve(client);
      else if (text.startsWith('err:')) reject(new Error(text));
      else client.onMessage?.(text);
    });
    socket.once('error', reject);
  });
}
