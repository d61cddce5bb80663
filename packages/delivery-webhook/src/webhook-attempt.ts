import { STATUS_CODES } from 'node:http';
import type { Dispatcher } from 'undici';
import { parseRetryAfter } from './retry-after.js';
import { DestinationRefusedError, type SafeDispatcher } from './safe-dispatcher.js';
import type { AttemptOutcome, WebhookMessage } from './webhook-message.js';
import { signatureHeaders } from './webhook-signature.js';

export interface AttemptOptions {
  /**
   * The SSRF-guarded dispatcher every attempt goes through. Share one per process: it keeps
   * connections alive per origin.
   */
  dispatcher: SafeDispatcher;
  /** `User-Agent` header, e.g. `notify-gateway/0.1.0`. @defaultValue 'notify-gateway' */
  userAgent?: string;
  /**
   * Bound on the whole attempt: resolving, connecting, sending, the answer and its body
   * (Svix answers within 15 s; ecosystem.md §3.5). @defaultValue 15_000
   */
  timeoutMs?: number;
  /**
   * Most bytes of the answer's body read (and returned as `responseBody`); past them the
   * connection is discarded rather than drained. @defaultValue 4096
   */
  maxResponseBytes?: number;
  /** Ends the attempt early, e.g. on shutdown; it then counts as a retry. @defaultValue none */
  signal?: AbortSignal;
  /**
   * Clock in epoch milliseconds, for `webhook-timestamp` and `Retry-After` dates.
   * @defaultValue Date.now
   */
  now?: () => number;
}

type Response = Dispatcher.ResponseData;

/**
 * POSTs `message.body` once to `message.url` and says how it went. Never follows a redirect.
 * Every failure is an {@link AttemptOutcome}, whose reason carries neither the secret nor the
 * body; it rejects only with a `RangeError`, for invalid options.
 */
export async function attemptDelivery(
  message: WebhookMessage,
  options: AttemptOptions,
): Promise<AttemptOutcome> {
  const { timeoutMs, maxResponseBytes } = limits(options);
  const now = options.now ?? Date.now;
  const request = prepare(message, options.userAgent ?? 'notify-gateway', now());
  if ('kind' in request) return request;
  const limit = attemptLimit(timeoutMs, options.signal);
  try {
    const response = await options.dispatcher.request({ ...request, signal: limit.signal });
    const responseBody = await readCapped(response.body, maxResponseBytes);
    return classify(response, responseBody, now());
  } catch (err) {
    if (err instanceof DestinationRefusedError) return { kind: 'permanent', reason: err.reason };
    if (limit.timedOut()) {
      return { kind: 'retry', reason: `timed out after ${duration(timeoutMs)}`, overload: true };
    }
    if (options.signal?.aborted) return { kind: 'retry', reason: 'aborted', overload: false };
    return failure(err);
  } finally {
    limit.release();
  }
}

/**
 * The attempt's own signal: aborted at the timeout or by the caller's. Its timer is cleared and
 * its listener removed as soon as the attempt ends. `AbortSignal.timeout` would keep each
 * attempt's timer until it fires, and `AbortSignal.any` with a long-lived caller's signal grows
 * that signal's list of dependants with every attempt (Node 20).
 */
function attemptLimit(timeoutMs: number, caller: AbortSignal | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const cancel = () => controller.abort();
  if (caller?.aborted) cancel();
  else caller?.addEventListener('abort', cancel, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    release() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', cancel);
    },
  };
}

function limits(options: AttemptOptions) {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxResponseBytes = options.maxResponseBytes ?? 4096;
  if (!(timeoutMs > 0)) throw new RangeError(`invalid timeout ${timeoutMs} ms`);
  if (!(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes >= 0)) {
    throw new RangeError(`invalid maxResponseBytes ${maxResponseBytes}`);
  }
  return { timeoutMs, maxResponseBytes };
}

/** The POST to send, or why none can be sent (a permanent outcome). */
function prepare(
  message: WebhookMessage,
  userAgent: string,
  now: number,
): Dispatcher.RequestOptions | AttemptOutcome {
  const url = targetUrl(message.url);
  if (typeof url === 'string') return { kind: 'permanent', reason: url };
  try {
    const headers = requestHeaders(message, userAgent, now);
    // Without the fragment, and without any userinfo: credentials are not sent from the URL.
    const path = `${url.pathname}${url.search}`;
    return { origin: url.origin, path, method: 'POST', headers, body: message.body };
  } catch (err) {
    // A malformed secret or message id: the message can never be signed.
    return { kind: 'permanent', reason: describe(err) };
  }
}

/** The URL, or why it cannot be delivered to (without echoing it: it may hold a token). */
function targetUrl(text: string): URL | string {
  if (!URL.canParse(text)) return 'invalid URL';
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `unsupported URL scheme ${url.protocol.slice(0, 20)}`;
  }
  return url;
}

function requestHeaders(message: WebhookMessage, userAgent: string, now: number) {
  const headers: Record<string, string> = {
    ...message.headers,
    'content-type': message.contentType,
    'user-agent': userAgent,
  };
  if (message.secret === undefined) return headers;
  // The timestamp of this attempt, not of the event: receivers refuse ones older than 5 minutes.
  const timestamp = Math.floor(now / 1000);
  const { secret, id, body } = message;
  return { ...headers, ...signatureHeaders({ secret, id, timestamp, body }) };
}

/** Reads at most `max` bytes, then destroys the body, which discards its connection. */
async function readCapped(body: Response['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = max - size;
      chunks.push(chunk.subarray(0, room));
      size += Math.min(chunk.length, room);
      if (chunk.length > room) {
        body.destroy();
        break;
      }
    }
  } catch {
    // Cut short (reset, or the attempt's timeout): the status already tells the outcome.
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function classify(response: Response, responseBody: string, now: number): AttemptOutcome {
  const status = response.statusCode;
  const reason = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status >= 200 && status < 300) return { kind: 'delivered', status, responseBody };
  if (status === 410) return { kind: 'gone' };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { kind: 'permanent', reason, status, responseBody };
  }
  const retryAfter = response.headers['retry-after'];
  const retryAfterMs = parseRetryAfter(
    typeof retryAfter === 'string' ? retryAfter : undefined,
    now,
  );
  return {
    kind: 'retry',
    // Standard Webhooks: a redirect is a failure, never followed.
    reason: status >= 300 && status < 400 ? `${reason} (redirects are not followed)` : reason,
    status,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    overload: status === 429,
    responseBody,
  };
}

/** A request that got no answer: refused or reset connection, DNS failure, TLS failure… */
function failure(err: unknown): AttemptOutcome {
  const codes = errorCodes(err);
  // Headers that cannot be sent (a content type with a line break) never will be.
  if (codes.includes('UND_ERR_INVALID_ARG')) return { kind: 'permanent', reason: describe(err) };
  // A receiver too busy to accept connections is overloaded, as one too busy to answer is.
  const overload = codes.includes('UND_ERR_CONNECT_TIMEOUT');
  return { kind: 'retry', reason: describe(err), overload };
}

function errorCodes(err: unknown): unknown[] {
  if (err instanceof AggregateError) return err.errors.flatMap(errorCodes);
  return err instanceof Error && 'code' in err ? [err.code] : [];
}

/** Node reports a failed multi-address connect as an AggregateError with an empty message. */
function describe(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(describe).join('; ');
  }
  if (err instanceof Error && err.message !== '') return err.message;
  return String(err);
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
