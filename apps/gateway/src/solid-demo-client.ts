import { once } from 'node:events';
import { WebSocket } from 'ws';

export interface SolidDemoClientOptions {
  /** The gateway's public URL (PUBLIC_URL), ending in `/`. */
  publicUrl: string;
  username: string;
  password: string;
  /** The resources to watch: WebDAV URLs of the user's files and folders. */
  topics: readonly string[];
  print(line: string): void;
}

/**
 * What a Solid app does, in the demo: one WebSocketChannel2023 subscription per topic (HTTP
 * Basic with the user's Nextcloud password), then a line per notification on each socket.
 */
export async function runSolidDemoClient(options: SolidDemoClientOptions): Promise<WebSocket[]> {
  const service = `${options.publicUrl}.notifications/WebSocketChannel2023/`;
  const authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const sockets: WebSocket[] = [];
  for (const topic of options.topics) {
    const response = await fetch(service, {
      method: 'POST',
      headers: { 'content-type': 'application/ld+json', authorization },
      body: JSON.stringify({
        '@context': ['https://www.w3.org/ns/solid/notifications-context/v1'],
        type: 'WebSocketChannel2023',
        topic,
      }),
    });
    const channel = (await response.json()) as { receiveFrom?: string; message?: string };
    if (channel.receiveFrom === undefined) {
      throw new Error(`subscribing to ${topic}: ${response.status} ${channel.message}`);
    }
    const socket = new WebSocket(channel.receiveFrom);
    socket.on('message', (data) => options.print(describe(String(data))));
    await once(socket, 'open');
    sockets.push(socket);
  }
  options.print(`watching ${sockets.length} files through ${service}`);
  return sockets;
}

/** `Update https://…/notes.txt "etag"`, or the raw frame if it is not a notification. */
function describe(frame: string): string {
  try {
    const { type, object, target, state } = JSON.parse(frame) as Record<string, string>;
    return [type, object, target && `in ${target}`, state].filter(Boolean).join(' ');
  } catch {
    return frame;
  }
}
