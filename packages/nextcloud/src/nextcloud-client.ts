import { STATUS_CODES } from 'node:http';
import { Agent, type Dispatcher, interceptors } from 'undici';
import {
  InvalidAuthenticationMessageError,
  InvalidCredentialsError,
  NextcloudStatusError,
  NextcloudUnreachableError,
} from './auth-errors.js';

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

/** Nextcloud's HTTP side: resolves credentials to a user id (reference/notify_push.md §2.1). */
export class NextcloudClient {
  readonly #uidUrl: URL;
  readonly #agent: Agent;
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: NextcloudClientOptions) {
    this.#uidUrl = new URL('index.php/apps/notify_push/uid', baseUrl(options.baseUrl));
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

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #send(headers: Record<string, string>, signal: AbortSignal) {
    try {
      return await this.#dispatcher.request({
        origin: this.#uidUrl.origin,
        path: `${this.#uidUrl.pathname}${this.#uidUrl.search}`,
        method: 'GET',
        headers,
        signal,
      });
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

function statusError(status: number): Error {
  if (status === 401) return new InvalidCredentialsError();
  const reason = `${status} ${STATUS_CODES[status] ?? '<unknown status code>'}`;
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
