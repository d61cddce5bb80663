import { WebSocket } from 'ws';

export interface TestClientOptions {
  /** Nextcloud base URL (endpoint discovered from its capabilities) or a `ws(s)://` URL. */
  url: string;
  username: string;
  password: string;
  /** Called with each line to show; defaults to stdout. */
  print?: (line: string) => void;
}

/** The part of `/ocs/v2.php/cloud/capabilities` the client reads. */
interface CapabilitiesResponse {
  ocs?: { data?: { capabilities?: { notify_push?: { endpoints?: { websocket?: string } } } } };
}

export class TestClientError extends Error {
  override name = 'TestClientError';
}

/**
 * Finds the push endpoint the way Nextcloud clients do: from the `notify_push` capability
 * (reference/notify_push.md §1.10, upstream test_client).
 */
export async function discoverEndpoint(
  url: string,
  username: string,
  password: string,
): Promise<string> {
  if (/^wss?:\/\//.test(url)) return url;
  const capabilitiesUrl = new URL(
    'ocs/v2.php/cloud/capabilities',
    url.endsWith('/') ? url : `${url}/`,
  );
  const response = await fetch(capabilitiesUrl, {
    headers: {
      Accept: 'application/json',
      'OCS-APIREQUEST': 'true',
      Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new TestClientError(
      `capabilities request failed: ${response.status} ${response.statusText}`,
    );
  }
  const body = (await response.json()) as CapabilitiesResponse;
  const websocket = body.ocs?.data?.capabilities?.notify_push?.endpoints?.websocket;
  if (typeof websocket !== 'string') {
    // Nextcloud lists the capability to logged-in users only, and treats bad credentials on this
    // public page as anonymous: both causes look the same from here.
    throw new TestClientError(
      'no notify_push capability: check the username and password, and that the app is set up',
    );
  }
  return websocket;
}

/**
 * Connects, authenticates, opts into `notify_file_id` and prints every message until the
 * connection ends. Resolves on a clean close, rejects on an `err:` reply or a network error.
 */
export async function runTestClient(options: TestClientOptions): Promise<void> {
  const print = options.print ?? ((line: string) => console.log(line));
  const endpoint = await discoverEndpoint(options.url, options.username, options.password);
  print(`connecting to ${endpoint}`);
  const socket = new WebSocket(endpoint);
  await new Promise<void>((resolve, reject) => {
    socket.on('open', () => {
      socket.send(options.username);
      socket.send(options.password);
      socket.send('listen notify_file_id');
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      print(`${new Date().toISOString().slice(11, 23)} ${text}`);
      if (text.startsWith('err: ') || text === 'Authentication timeout') {
        socket.close();
        reject(new TestClientError(text));
      }
    });
    socket.on('close', (code) => {
      print(`connection closed (${code})`);
      resolve();
    });
    socket.on('error', reject);
  });
}
