import { STATUS_CODES } from 'node:http';
import { isIP, SocketAddress } from 'node:net';
import { Agent, type Dispatcher, interceptors } from 'undici';
import {
  InvalidAuthenticationMessageError,
  InvalidCredentialsError,
  NextcloudStatusError,
  NextcloudUnreachableError,
} from './auth-errors.js';
import { SelfTestError } from './self-test-error.js';

export interface NextcloudClientOptions {
  /** Nextcloud's base URL, e.g. `https://cloud.example.com/nextcloud/`; a missing final `/` is added. */
  baseUrl: string;
  /** Accept any TLS certificate (`ALLOW_SELF_SIGNED`). @defaultValue false */
  allowSelfSigned?: boolean;
  /** `User-Agent` header; none is sent when unset, as upstream does. @defaultValue undefined */
  userAgent?: string;
  /** Bound on the whole request, redirects and body included. @defaultValue 10_000 */
  timeoutMs?: number;
}

/** A user id is at most 64 characters; anything much longer is not one. */
const MAX_UID_BYTES = 4096;
/** reqwest's default redirect limit, which upstream uses. */
const MAX_REDIRECTIONS = 10;
/** The self-test answers are a number or an address; anything longer is cut here. */
const MAX_TEST_BODY_BYTES = 64 * 1024;

/** Nextcloud's HTTP side: resolves credentials to a user id (reference/notify_push.md §2.1). */
export class NextcloudClient {
  readonly #baseUrl: URL;
  readonly #uidUrl: URL;
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: NextcloudClientOptions) {
    this.#baseUrl = baseUrl(options.baseUrl);
    this.#uidUrl = new URL('index.php/apps/notify_push/uid', this.#baseUrl);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    if (!(this.#timeoutMs > 0)) throw new RangeError(`invalid timeout ${this.#timeoutMs} ms`);
    this.#userAgent = options.userAgent;
    this.#agent = new Agent({ connect: { rejectUnauthorized: options.allowSelfSigned !== true } });
    // Like fetch, the redirect handler drops Authorization when a redirect leaves the origin.
    this.#dispatcher = this.#agent.compose(
      interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }),
    );
  }

  /**
   * `GET index.php/apps/notify_push/uid` with Basic auth; resolves to the canonical user id (the
   * body, untrimmed). Rejects with the error classes of `auth-errors.ts`; none of them carries the
   * password.
   */
  async getUid(
    username: string,
    password: string,
    forwardedFor: readonly string[],
  ): Promise<string> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    const response = await this.#send(this.#headers(username, password, forwardedFor), signal);
    if (response.statusCode !== 200) {
      response.body.dump().catch(() => {});
      throw statusError(response.statusCode);
    }
    try {
      return await readUid(response.body);
    } catch (err) {
      throw signal.aborted ? this.#timedOut() : err;
    }
  }

  /**
   * The push server's reverse self-test (reference/notify_push.md §6.1 `reverse_cookie`):
   * `GET index.php/apps/notify_push/test/cookie` with the test token; resolves to the cookie.
   * Rejects with a {@link SelfTestError} whose message is upstream's text for the failure.
   */
  async getTestCookie(token: string): Promise<number> {
    const { status, text } = await this.#selfTestGet('test/cookie', { token });
    if (status >= 400 && status < 500) {
      throw new SelfTestError(
        text.includes('admin-trusted-domains')
          ? `${this.#baseUrl.hostname} is not configured as a trusted domain for the nextcloud server`
          : `Client error: ${statusText(status)}`,
      );
    }
    const cookie = parseU32(text);
    if (typeof cookie === 'string') {
      throw new SelfTestError(`Invalid response when getting test cookie: ${cookie}`);
    }
    return cookie;
  }

  /**
   * The trusted-proxy self-test (§6.1 `remote`): `GET index.php/apps/notify_push/test/remote`
   * with `X-Forwarded-For: <ip>` only; resolves to the address Nextcloud attributed the request to.
   */
  async getTestRemote(ip: string, token: string): Promise<string> {
    const { text } = await this.#selfTestGet('test/remote', { token, 'x-forwarded-for': ip });
    if (isIP(text) === 0) {
      throw new SelfTestError(
        'Invalid response when testing if the push server is a trusted proxy: invalid IP address syntax',
      );
    }
    return isIP(text) === 6 ? new SocketAddress({ address: text, family: 'ipv6' }).address : text;
  }

  /** Asks the app to store its version in Redis (`notify_push_app_version`), as start-up does. */
  async requestAppVersion(): Promise<void> {
    await this.#selfTestGet('test/version', {});
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #selfTestGet(
    route: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string }> {
    const url = new URL(`index.php/apps/notify_push/${route}`, this.#baseUrl);
    const signal = AbortSignal.timeout(this.#timeoutMs);
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    try {
      const response = await this.#request(url, headers, signal);
      const text = await readText(response.body);
      return { status: response.statusCode, text };
    } catch (err) {
      throw new SelfTestError(
        signal.aborted ? `request timed out after ${duration(this.#timeoutMs)}` : describe(err),
      );
    }
  }

  #request(url: URL, headers: Record<string, string>, signal: AbortSignal) {
    return this.#dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      signal,
    });
  }

  async #send(headers: Record<string, string>, signal: AbortSignal) {
    try {
      return await this.#request(this.#uidUrl, headers, signal);
    } catch (err) {
      throw signal.aborted ? this.#timedOut() : new NextcloudUnreachableError(describe(err));
    }
  }

  #timedOut(): NextcloudUnreachableError {
    return new NextcloudUnreachableError(`request timed out after ${duration(this.#timeoutMs)}`);
  }

  #headers(username: string, password: string, forwardedFor: readonly string[]) {
    const credentials = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
    const headers: Record<string, string> = {
      authorization: `Basic ${credentials}`,
      // Sent even when empty, as upstream does.
      'x-forwarded-for': forwardedFor.join(', '),
    };
    if (this.#userAgent !== undefined) headers['user-agent'] = this.#userAgent;
    return headers;
  }
}

function baseUrl(url: string): URL {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
    throw new TypeError('the Nextcloud URL must be an absolute http:// or https:// URL');
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

async function readUid(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_UID_BYTES) throw new InvalidAuthenticationMessageError();
      chunks.push(chunk);
    }
    if (size === 0) throw new InvalidAuthenticationMessageError();
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    // A body cut short, oversized or not UTF-8: upstream's "unreadable" answer.
    throw new InvalidAuthenticationMessageError();
  }
}

async function readText(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TEST_BODY_BYTES) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Rust's `str::parse::<u32>()`: the number, or the text of its error. */
function parseU32(text: string): number | string {
  if (text === '') return 'cannot parse integer from empty string';
  if (!/^\+?\d+$/.test(text) || text === '+') return 'invalid digit found in string';
  const value = Number(text);
  return value > 0xffff_ffff ? 'number too large to fit in target type' : value;
}

/** `403 Forbidden`, as reqwest prints a status. */
function statusText(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? '<unknown status code>'}`;
}

function statusError(status: number): Error {
  if (status === 401) return new InvalidCredentialsError();
  const reason = statusText(status);
  if (status >= 400 && status < 500)
    return new NextcloudStatusError(status, `Client error: ${reason}`);
  if (status >= 500 && status < 600)
    return new NextcloudStatusError(status, `Server error: ${reason}`);
  return new NextcloudStatusError(status, `Unexpected status code: ${reason}`);
}

/** Node reports a refused dual-stack connect as an AggregateError with an empty message. */
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
