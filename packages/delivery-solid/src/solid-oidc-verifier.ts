import { decodeJwt, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import {
  AuthenticationError,
  type AuthenticationErrorCode,
  AuthenticationUnavailableError,
  dpopChallenge,
} from './authentication-error.js';
import {
  DPOP_ALGORITHMS,
  type DpopAlgorithm,
  sameSecret,
  type VerifiedDpopProof,
  verifyDpopProof,
} from './dpop-proof.js';
import type { ReplayGuard } from './replay-guard.js';
import { TrustedIssuers } from './trusted-issuers.js';

export interface SolidOidcVerifierOptions {
  /**
   * The OpenID providers whose access tokens are accepted, compared with and without a trailing
   * slash; at least one. Only these are ever contacted.
   */
  trustedIssuers: readonly string[];
  /** The Nextcloud uid of a WebID vouched for by `issuer`, if any (see `WebIdRule`). */
  webIdToUid: (webId: string, issuer: string) => string | undefined;
  /** Records proof `jti`s; shared by all replicas (`RedisReplayGuard`) when there are several. */
  replayGuard: ReplayGuard;
  /** Allowed clock skew for `iat`, `exp` and `nbf`. @defaultValue 60 */
  clockToleranceSec?: number;
  /** Oldest accepted proof, by its `iat`. @defaultValue 300 */
  proofMaxAgeSec?: number;
  /** Accepted signature algorithms of proofs and tokens. @defaultValue DPOP_ALGORITHMS (all five) */
  algorithms?: readonly DpopAlgorithm[];
  /**
   * Refuse proofs without `ath`. Off because some Solid clients do not send it; a present `ath`
   * must match either way. @defaultValue false
   */
  requireAth?: boolean;
  /** Bound on each request to an issuer (metadata, JWKS). @defaultValue 5_000 */
  discoveryTimeoutMs?: number;
  /** Shortest time between JWKS refetches caused by an unknown `kid`. @defaultValue 30_000 */
  jwksCooldownMs?: number;
  /** @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
}

export interface SolidOidcRequest {
  method: string;
  /** The public URL the client used (scheme and host as it sees them), for `htu`. */
  url: string;
  /** The `Authorization` header: `DPoP <access token>`. */
  authorization: string;
  /** The `DPoP` header. */
  dpop: string;
}

export interface SolidOidcIdentity {
  /**
   * As asserted by `issuer`. The WebID profile's `solid:oidcIssuer` is not fetched (Solid-OIDC
   * "OIDC Issuer Discovery"): only `uid`, which `webIdToUid` grants per issuer, is authoritative.
   */
  webId: string;
  /** `undefined` when the WebID is not a Nextcloud user's: not an authentication failure. */
  uid: string | undefined;
  /** The token's `iss`, as written. */
  issuer: string;
  /** The client: the token's `client_id` (Nextcloud) or `azp` (Solid-OIDC, CSS), when present. */
  clientId?: string;
}

const TOKEN68 = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Verifies a Solid-OIDC DPoP-bound access token with its DPoP proof (Solid-OIDC "DPoP
 * Validation", RFC 9449 §4.3 and §7): the proof's signature and claims, the token's issuer,
 * signature, audience, expiry and key binding, then the single use of the proof. CSS turns an
 * invalid token into an anonymous request (reference/solid.md §3.9 item 10) and the Nextcloud
 * Solid app never checks the token's signature (reference/nextcloud_solid.md §A7); here every
 * failure is a 401 that says which check failed.
 */
export class SolidOidcVerifier {
  readonly algorithms: readonly DpopAlgorithm[];
  readonly #issuers: TrustedIssuers;
  readonly #webIdToUid: SolidOidcVerifierOptions['webIdToUid'];
  readonly #replayGuard: ReplayGuard;
  readonly #clockToleranceSec: number;
  readonly #proofMaxAgeSec: number;
  readonly #requireAth: boolean;
  readonly #now: () => number;

  constructor(options: SolidOidcVerifierOptions) {
    if (options.trustedIssuers.length === 0) {
      throw new RangeError('no trusted issuer: leave Solid-OIDC unconfigured instead');
    }
    this.algorithms = acceptedAlgorithms(options.algorithms ?? DPOP_ALGORITHMS);
    this.#issuers = new TrustedIssuers({
      issuers: options.trustedIssuers,
      timeoutMs: options.discoveryTimeoutMs,
      jwksCooldownMs: options.jwksCooldownMs,
      fetch: options.fetch,
    });
    this.#webIdToUid = options.webIdToUid;
    this.#replayGuard = options.replayGuard;
    this.#clockToleranceSec = options.clockToleranceSec ?? 60;
    this.#proofMaxAgeSec = options.proofMaxAgeSec ?? 300;
    this.#requireAth = options.requireAth ?? false;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Resolves who made the request. Rejects with {@link AuthenticationError} when the token or
   * proof is refused, and with {@link AuthenticationUnavailableError} when the issuer or the
   * replay guard cannot answer.
   */
  async verify(request: SolidOidcRequest): Promise<SolidOidcIdentity> {
    const token = TOKEN68.exec(request.authorization)?.[1];
    if (token === undefined) {
      throw this.#error('invalid_request', 'Authorization must be "DPoP" and an access token');
    }
    const { iss, keys } = this.#issuerOf(token);
    const now = this.#now();
    const proof = await verifyDpopProof({
      proof: request.dpop,
      method: request.method,
      url: request.url,
      accessToken: token,
      algorithms: this.algorithms,
      maxAgeSec: this.#proofMaxAgeSec,
      clockToleranceSec: this.#clockToleranceSec,
      requireAth: this.#requireAth,
      now,
    });
    const claims = await this.#verifyToken(token, iss, keys, now);
    this.#checkBinding(claims, proof);
    const webId = this.#webId(claims);
    await this.#firstUse(proof);
    return { webId, uid: this.#webIdToUid(webId, iss), issuer: iss, ...clientIdOf(claims) };
  }

  /**
   * The token's `iss`, unverified, and the keys to verify it with. The allow-list comes first,
   * before any request: an untrusted issuer's URL is never fetched.
   */
  #issuerOf(token: string): { iss: string; keys: JWTVerifyGetKey } {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(token);
    } catch (err) {
      throw this.#invalidToken('access token is not a JWT', err);
    }
    const { iss } = claims;
    if (typeof iss !== 'string') throw this.#invalidToken('access token has no iss');
    const keys = this.#issuers.keyResolver(iss);
    if (keys === undefined) {
      throw this.#invalidToken(`issuer ${iss.slice(0, 200)} is not trusted by this gateway`);
    }
    return { iss, keys };
  }

  async #verifyToken(
    token: string,
    iss: string,
    keys: JWTVerifyGetKey,
    now: number,
  ): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [...this.algorithms],
        // Solid-OIDC "DPoP-bound OIDC ID Token": the audience includes "solid".
        audience: 'solid',
        requiredClaims: ['exp'],
        clockTolerance: this.#clockToleranceSec,
        currentDate: new Date(now),
      });
      return payload;
    } catch (err) {
      throw this.#tokenError(err, iss);
    }
  }

  #tokenError(err: unknown, iss: string): Error {
    if (err instanceof AuthenticationUnavailableError) return err;
    if (err instanceof errors.JWTExpired) return this.#invalidToken('access token expired', err);
    if (err instanceof errors.JWTClaimValidationFailed) {
      const problem =
        err.claim === 'aud'
          ? 'audience does not include solid'
          : `${err.claim} claim is ${err.reason === 'missing' ? 'missing' : 'invalid'}`;
      return this.#invalidToken(`access token ${problem}`, err);
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      return this.#invalidToken('access token signature is invalid', err);
    }
    if (err instanceof errors.JWKSNoMatchingKey) {
      return this.#invalidToken(`no key of issuer ${iss} matches the access token`, err);
    }
    if (err instanceof errors.JOSEError) {
      return this.#invalidToken(`access token is invalid: ${err.message}`, err);
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  /** RFC 9449 §6.1: the token is bound to the key that signed the proof. */
  #checkBinding(claims: JWTPayload, proof: VerifiedDpopProof): void {
    const jkt = isObject(claims.cnf) ? claims.cnf.jkt : undefined;
    if (typeof jkt !== 'string') throw this.#invalidToken('access token is not DPoP-bound');
    if (!sameSecret(jkt, proof.jkt)) {
      throw this.#invalidToken('access token is bound to another key than the DPoP proof');
    }
  }

  /** Solid-OIDC's `webid` claim; `sub` holds the WebID in tokens of older issuers. */
  #webId(claims: JWTPayload): string {
    for (const candidate of [claims.webid, claims.sub]) {
      if (typeof candidate === 'string' && isHttpUrl(candidate)) return candidate;
    }
    throw this.#invalidToken('access token has no WebID');
  }

  /** Last: only a request that passed every other check spends its proof. */
  async #firstUse(proof: VerifiedDpopProof): Promise<void> {
    // A proof is accepted until iat + maxAge + tolerance, and iat may be up to tolerance ahead.
    const ttlMs = (this.#proofMaxAgeSec + 2 * this.#clockToleranceSec) * 1000;
    let first: boolean;
    try {
      first = await this.#replayGuard.firstUse(`${proof.jkt}:${proof.jti}`, ttlMs);
    } catch (err) {
      throw new AuthenticationUnavailableError('the DPoP replay guard could not answer', {
        cause: err,
      });
    }
    if (!first) throw this.#error('invalid_dpop_proof', 'DPoP proof jti was already used');
  }

  #invalidToken(message: string, cause?: unknown): AuthenticationError {
    return this.#error('invalid_token', message, cause);
  }

  #error(code: AuthenticationErrorCode, message: string, cause?: unknown): AuthenticationError {
    return new AuthenticationError(code, message, dpopChallenge(this.algorithms, code), { cause });
  }
}

function acceptedAlgorithms(algorithms: readonly string[]): readonly DpopAlgorithm[] {
  const accepted = DPOP_ALGORITHMS.filter((alg) => algorithms.includes(alg));
  const refused = algorithms.filter((alg) => !accepted.some((ok) => ok === alg));
  if (accepted.length === 0 || refused.length > 0) {
    throw new RangeError(
      `algorithms must be a non-empty subset of ${DPOP_ALGORITHMS.join(', ')}; got ${algorithms.join(', ')}`,
    );
  }
  return accepted;
}

/** `client_id` as Nextcloud's Solid app writes it, else Solid-OIDC's `azp` (CSS). */
function clientIdOf(claims: JWTPayload): { clientId?: string } {
  const clientId = [claims.client_id, claims.azp].find((id) => typeof id === 'string');
  return typeof clientId === 'string' ? { clientId } : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isHttpUrl(url: string): boolean {
  const protocol = URL.canParse(url) ? new URL(url).protocol : undefined;
  return protocol === 'http:' || protocol === 'https:';
}
