import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey, type RemoteJWKSet } from 'jose';
import { AuthenticationUnavailableError } from './authentication-error.js';

export interface TrustedIssuersOptions {
  /** The OpenID providers whose tokens are accepted, e.g. Nextcloud's base URL. */
  issuers: readonly string[];
  /** Bound on each metadata or JWKS request, body included. @defaultValue 5_000 */
  timeoutMs?: number;
  /**
   * Shortest time between two JWKS fetches caused by a token whose `kid` is unknown (a rotated
   * key): it stops forged `kid`s from making the gateway hammer the issuer. @defaultValue 30_000
   */
  jwksCooldownMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** A JWKS holds a few keys of about a kilobyte each; metadata is smaller still. */
const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * The issuer allow-list and the signing keys of each allowed issuer (OpenID Connect Discovery
 * 1.0 §4: `{issuer}/.well-known/openid-configuration` → `jwks_uri`). Only configured issuer URLs
 * are ever fetched: the `iss` of a token merely selects one, so a token cannot make the gateway
 * request an address of its choice (SSRF).
 *
 * Discovery runs once per issuer and is shared by concurrent requests; it is repeated after a
 * failure, including a failed JWKS fetch, in case the issuer moved its keys. `createRemoteJWKSet`
 * refreshes the keys themselves, so a rotated key is picked up.
 */
export class TrustedIssuers {
  /** {@link issuerKey} → the issuer as configured. */
  readonly #issuers: ReadonlyMap<string, string>;
  readonly #timeoutMs: number;
  readonly #jwksCooldownMs: number;
  readonly #fetch: typeof fetch;
  readonly #jwks = new Map<string, Promise<RemoteJWKSet>>();

  constructor(options: TrustedIssuersOptions) {
    this.#issuers = new Map(options.issuers.map((issuer) => [issuerKey(httpUrl(issuer)), issuer]));
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#jwksCooldownMs = options.jwksCooldownMs ?? 30_000;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * The key resolver for tokens of `iss`, or `undefined` when `iss` is not trusted. It rejects
   * with {@link AuthenticationUnavailableError} when the issuer cannot be reached.
   */
  keyResolver(iss: string): JWTVerifyGetKey | undefined {
    const issuer = this.#issuers.get(issuerKey(iss));
    if (issuer === undefined) return undefined;
    return async (header, token) => {
      const jwks = await this.#discover(issuer);
      try {
        return await jwks(header, token);
      } catch (err) {
        if (err instanceof AuthenticationUnavailableError) this.#jwks.delete(issuer);
        throw err;
      }
    };
  }

  #discover(issuer: string): Promise<RemoteJWKSet> {
    let jwks = this.#jwks.get(issuer);
    if (jwks === undefined) {
      jwks = this.#jwksOf(issuer);
      this.#jwks.set(issuer, jwks);
      jwks.catch(() => this.#jwks.delete(issuer));
    }
    return jwks;
  }

  async #jwksOf(issuer: string): Promise<RemoteJWKSet> {
    const url = `${issuerKey(issuer)}/.well-known/openid-configuration`;
    const what = `the metadata of issuer ${issuer}`;
    // Redirects are followed: Nextcloud's recommended nginx configuration answers /.well-known/*
    // with a 301 to /index.php/.well-known/*.
    const metadata = await this.#getJson(url, what, AbortSignal.timeout(this.#timeoutMs));
    // OpenID Connect Discovery §4.3: the metadata must be about the issuer it was fetched for.
    if (typeof metadata.issuer !== 'string' || issuerKey(metadata.issuer) !== issuerKey(issuer)) {
      throw new AuthenticationUnavailableError(`${what} names another issuer`);
    }
    if (typeof metadata.jwks_uri !== 'string' || !isHttpUrl(metadata.jwks_uri)) {
      throw new AuthenticationUnavailableError(`${what} has no http(s) jwks_uri`);
    }
    return createRemoteJWKSet(new URL(metadata.jwks_uri), {
      timeoutDuration: this.#timeoutMs,
      cooldownDuration: this.#jwksCooldownMs,
      [customFetch]: async (jwksUri, { headers, redirect, signal }) => {
        const jwks = await this.#getJson(jwksUri, `the JWKS of issuer ${issuer}`, signal, {
          headers,
          redirect,
        });
        if (!Array.isArray(jwks.keys) || !jwks.keys.every(isObject)) {
          throw new AuthenticationUnavailableError(`the JWKS of issuer ${issuer} has no keys`);
        }
        return Response.json(jwks);
      },
    });
  }

  /** GET a JSON object, bounded in time and size; any failure is the issuer's, never the client's. */
  async #getJson(
    url: string,
    what: string,
    signal: AbortSignal,
    init: RequestInit = {},
  ): Promise<Record<string, unknown>> {
    try {
      const response = await this.#fetch(url, { ...init, signal });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new AuthenticationUnavailableError(`${what} answered HTTP ${response.status}`);
      }
      const json: unknown = JSON.parse(await readBounded(response));
      if (!isObject(json)) throw new AuthenticationUnavailableError(`${what} is not a JSON object`);
      return json;
    } catch (err) {
      if (err instanceof AuthenticationUnavailableError) throw err;
      const reason = signal.aborted ? `timed out after ${this.#timeoutMs} ms` : describe(err);
      throw new AuthenticationUnavailableError(`${what} could not be fetched: ${reason}`, {
        cause: err,
      });
    }
  }
}

/** Issuers are compared with and without a trailing slash: CSS's tokens lack the one its metadata has. */
export function issuerKey(issuer: string): string {
  return issuer.replace(/\/+$/, '');
}

async function readBounded(response: Response): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    // Leaving the loop cancels the stream.
    if (size > MAX_RESPONSE_BYTES) throw new Error(`response exceeds ${MAX_RESPONSE_BYTES} bytes`);
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
}

function httpUrl(url: string): string {
  if (!isHttpUrl(url)) throw new TypeError(`trusted issuer ${url} is not an http(s) URL`);
  return url;
}

function isHttpUrl(url: string): boolean {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  return protocol === 'http:' || protocol === 'https:';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * fetch reports network failures as `TypeError: fetch failed` with the reason in `cause`; a refused
 * dual-stack connect is an AggregateError with an empty message but a `code`.
 */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as (Error & { code?: string }) | undefined;
  const reason = cause instanceof Error ? cause.message || cause.code : undefined;
  return reason ? `${err.message} (${reason})` : err.message;
}
