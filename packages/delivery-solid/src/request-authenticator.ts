import {
  AuthenticationError,
  type AuthenticationErrorCode,
  BASIC_CHALLENGE,
  dpopChallenge,
} from './authentication-error.js';
import type { BasicAuthenticator } from './basic-authenticator.js';
import type { SolidOidcVerifier } from './solid-oidc-verifier.js';

export interface RequestAuthenticatorOptions {
  basic: Pick<BasicAuthenticator, 'authenticate'>;
  /** Solid-OIDC; leave it out when no issuer is trusted, and DPoP is neither offered nor accepted. */
  solidOidc?: Pick<SolidOidcVerifier, 'verify' | 'algorithms'>;
}

export interface AuthenticationRequest {
  method: string;
  /** The public URL the client used, for DPoP's `htu`. */
  url: string;
  /** Request headers, names in lower case (as Node and Fastify give them). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The client's address chain, passed to Nextcloud for its brute-force throttling. */
  forwardedFor: readonly string[];
}

export interface Authenticated {
  /** The Nextcloud user; `undefined` for a WebID that is not a Nextcloud user's (answer 403). */
  uid: string | undefined;
  scheme: 'basic' | 'dpop';
  webId?: string;
}

/** The longest scheme name quoted back in an error message. */
const MAX_SCHEME_LENGTH = 32;

/**
 * Authenticates a subscription request (POST to a subscription service, GET or DELETE of a
 * channel) by HTTP Basic with Nextcloud credentials, or by a Solid-OIDC DPoP-bound token. Unlike
 * CSS (reference/solid.md §3.9 item 10), credentials that fail are a 401, never an anonymous
 * request.
 */
export class RequestAuthenticator {
  readonly #basic: RequestAuthenticatorOptions['basic'];
  readonly #solidOidc: RequestAuthenticatorOptions['solidOidc'];

  constructor(options: RequestAuthenticatorOptions) {
    this.#basic = options.basic;
    this.#solidOidc = options.solidOidc;
  }

  /**
   * Resolves `undefined` when the request has no `Authorization` header (answer 401 with
   * {@link challenge}). Rejects with `AuthenticationError`, whose `wwwAuthenticate` is this
   * gateway's full challenge, or with `AuthenticationUnavailableError`.
   */
  async authenticate(request: AuthenticationRequest): Promise<Authenticated | undefined> {
    const authorization = this.#header(request, 'authorization', 'invalid_request');
    if (authorization === undefined) return undefined;
    const scheme = /^\S*/.exec(authorization)?.[0] ?? '';
    const verifier = this.#solidOidc;
    switch (scheme.toLowerCase()) {
      case 'basic':
        return this.#withChallenge(false, () => this.#authenticateBasic(authorization, request));
      case 'dpop':
        if (verifier === undefined) break;
        return this.#withChallenge(true, () =>
          this.#authenticateDpop(verifier, authorization, request),
        );
      case 'bearer':
        throw this.#error('invalid_token', bearerRefusal(verifier !== undefined), true);
    }
    const name = scheme.slice(0, MAX_SCHEME_LENGTH);
    throw this.#error('invalid_request', `authentication scheme ${name} is not supported`, false);
  }

  /**
   * The `WWW-Authenticate` value of a 401: DPoP (when Solid-OIDC is configured), carrying `error`
   * when a token or proof was refused, then Basic.
   */
  challenge(error?: AuthenticationErrorCode): string {
    if (this.#solidOidc === undefined) return BASIC_CHALLENGE;
    return `${dpopChallenge(this.#solidOidc.algorithms, error)}, ${BASIC_CHALLENGE}`;
  }

  async #authenticateBasic(
    authorization: string,
    request: AuthenticationRequest,
  ): Promise<Authenticated> {
    const { username, password } = basicCredentials(authorization);
    const uid = await this.#basic.authenticate(username, password, request.forwardedFor);
    return { uid, scheme: 'basic' };
  }

  async #authenticateDpop(
    verifier: NonNullable<RequestAuthenticatorOptions['solidOidc']>,
    authorization: string,
    request: AuthenticationRequest,
  ): Promise<Authenticated> {
    const dpop = this.#header(request, 'dpop', 'invalid_dpop_proof');
    if (dpop === undefined) {
      throw this.#error(
        'invalid_dpop_proof',
        'a DPoP access token needs a DPoP proof header',
        true,
      );
    }
    const { uid, webId } = await verifier.verify({
      method: request.method,
      url: request.url,
      authorization,
      dpop,
    });
    return { uid, scheme: 'dpop', webId };
  }

  /**
   * One header value. Node joins repeated unknown headers with ", ", and neither credentials nor
   * a compact JWT contain a comma: a comma means the header was sent more than once (RFC 9449
   * §4.3 step 1 for `DPoP`).
   */
  #header(
    request: AuthenticationRequest,
    name: string,
    code: AuthenticationErrorCode,
  ): string | undefined {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || (name === 'dpop' && value.includes(','))) {
      throw this.#error(code, `the ${name} header must be sent once`, name === 'dpop');
    }
    return value;
  }

  /** Swaps the component's challenge for the gateway's, which offers every accepted scheme. */
  async #withChallenge<T>(tokenRefused: boolean, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      throw this.#error(err.error, err.message, tokenRefused, err.cause);
    }
  }

  /** `tokenRefused`: a token or proof was refused, so the DPoP challenge says why (RFC 9449 §7.1). */
  #error(
    code: AuthenticationErrorCode,
    message: string,
    tokenRefused: boolean,
    cause?: unknown,
  ): AuthenticationError {
    const challenge = this.challenge(tokenRefused ? code : undefined);
    return new AuthenticationError(code, message, challenge, { cause });
  }
}

function bearerRefusal(dpopAccepted: boolean): string {
  return dpopAccepted
    ? 'Bearer tokens are not accepted: send a DPoP-bound access token as "Authorization: DPoP" with a DPoP proof'
    : 'Bearer tokens are not accepted: authenticate with Basic and Nextcloud credentials';
}

function basicCredentials(authorization: string): { username: string; password: string } {
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization)?.[1];
  const bytes = encoded === undefined ? undefined : Buffer.from(encoded, 'base64');
  // Round trip: Buffer skips characters it cannot decode instead of failing.
  if (bytes === undefined || bytes.toString('base64') !== encoded) {
    throw malformedBasic('Basic credentials are not valid base64');
  }
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw malformedBasic('Basic credentials are not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformedBasic('Basic credentials have no colon between user and password');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Replaced by {@link RequestAuthenticator}'s own challenge on the way out. */
function malformedBasic(message: string): AuthenticationError {
  return new AuthenticationError('invalid_request', message, BASIC_CHALLENGE);
}
