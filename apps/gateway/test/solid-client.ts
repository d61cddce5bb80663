import { freePort, TestWebSocket } from '@gw/testkit';
import { type Stack, type StackOptions, startStack } from './stack.js';

export const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
export const WS_CHANNEL = `${NOTIFY}WebSocketChannel2023`;
export const LEGACY_CONTEXT = 'https://www.w3.org/ns/solid/notification/v1';
export const CONTEXT = 'https://www.w3.org/ns/solid/notifications-context/v1';
export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';

/** The stack with the gateway's public URL pointing at itself, as the reverse proxy would. */
export async function startSolidStack(
  options: StackOptions = {},
): Promise<Stack & { base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/`;
  const stack = await startStack({
    ...options,
    env: { PORT: String(port), PUBLIC_URL: base, ...options.env },
  });
  return { ...stack, base };
}

export function basic(uid: string, password: string): string {
  return `Basic ${Buffer.from(`${uid}:${password}`).toString('base64')}`;
}

/** The WebDAV URL of a path in a user's files, as the gateway names topics. */
export function davUrl(stack: Stack, uid: string, path: string): string {
  return `${stack.nextcloud.url}remote.php/dav/files/${uid}/${path}`;
}

/**
 * POSTs a subscription the way CSS's test helper does (legacy context, full type IRI), with
 * extra fields merged in; resolves to the response and its parsed JSON (when it is JSON).
 */
export async function subscribe(
  base: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${base}.notifications/WebSocketChannel2023/`, {
    method: 'POST',
    headers: { 'content-type': 'application/ld+json', ...headers },
    body: JSON.stringify({ '@context': [LEGACY_CONTEXT], type: WS_CHANNEL, ...body }),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json')
    ? JSON.parse(text)
    : undefined;
  return { response, text, json: json as Record<string, unknown> | undefined };
}

/** Subscribes (which must succeed) and opens the channel's socket. */
export async function listen(
  stack: Stack & { base: string },
  uid: string,
  password: string,
  body: Record<string, unknown>,
) {
  const { response, json, text } = await subscribe(stack.base, body, {
    authorization: basic(uid, password),
  });
  if (response.status !== 200 || json === undefined) {
    throw new Error(`subscription failed: ${response.status} ${text}`);
  }
  const socket = await TestWebSocket.open(json.receiveFrom as string);
  return { channel: json, socket };
}

/** The next notification on a socket, parsed. */
export async function nextNotification(socket: TestWebSocket, timeoutMs = 3_000) {
  return JSON.parse(await socket.next(timeoutMs)) as Record<string, unknown>;
}
