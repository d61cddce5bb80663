// The webhook receiver of the benchmarks: a node:http server on loopback in the bench process,
// shared by the CSS and gateway workloads so both are timed by the same code.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';

/** The fields of a notification the benchmarks match on. */
export interface ReceivedNotification {
  type?: string;
  object?: string;
  /** The resource's state as sent, e.g. `"bench-12"` in double quotes (an etag). */
  state?: string;
}

export interface ReceiverOptions {
  /**
   * Answer 200 as soon as the body is in (the default), or never: a destination that times out
   * on every request, holding each connection until the sender gives up.
   */
  answer?: boolean;
}

export interface WebhookReceiver {
  url: string;
  /** POSTs whose body arrived, answered or not. */
  readonly requests: number;
  /** POSTs received and not answered, still open (only when `answer` is false). */
  readonly hanging: number;
  close(): Promise<void>;
}

/**
 * Calls `onNotification` with every JSON notification POSTed and the time its request began
 * to arrive (before the body is read, as a receiver would timestamp it).
 */
export async function startReceiver(
  onNotification: (notification: ReceivedNotification, arrived: number) => void,
  { answer = true }: ReceiverOptions = {},
): Promise<WebhookReceiver> {
  let requests = 0;
  let hanging = 0;
  const server = createServer((request, response) => {
    const arrived = performance.now();
    readBody(request)
      .then((body) => {
        requests++;
        if (answer) response.end();
        else {
          hanging++;
          // Closed by the sender giving up (its timeout), or by close() below.
          response.once('close', () => hanging--);
        }
        const notification = parseNotification(body);
        if (notification) onNotification(notification, arrived);
      })
      // An aborted POST is the sender's loss, not the bench's; it shows in what was received.
      .catch(() => response.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get requests() {
      return requests;
    },
    get hanging() {
      return hanging;
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The fields matched on; undefined for anything that is not a JSON notification. */
export function parseNotification(text: string): ReceivedNotification | undefined {
  try {
    return JSON.parse(text) as ReceivedNotification;
  } catch {
    return undefined;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}
