import { createHash, timingSafeEqual } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  EmbeddedJWK,
  errors,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { AuthenticationError, dpopChallenge } from './authentication-error.js';

/** The asymmetric algorithms a proof or token may use; `none` and HMAC never (RFC 9449 §4.2). */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;
export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];

export interface DpopProofCheck {
  /** The `DPoP` header: one compact JWT. */
  proof: string;
  /** The request method, compared exactly with `htm`. */
  method: string;
  /** The public URL the client used, compared with `htu` without query and fragment. */
  url: string;
  /** The access token sent with the proof, for `ath`. */
  accessToken: string;
  algorithms: readonly DpopAlgorithm[];
  /** Oldest accepted `iat`, in seconds before now (besides the tolerance). */
  maxAgeSec: number;
  clockToleranceSec: number;
  /** Refuse a proof without `ath`; one with `ath` must always match. */
  requireAth: boolean;
  /** The current time, epoch milliseconds. */
  now: number;
}

export interface VerifiedDpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof's key, for the token's `cnf.jkt`. */
  jkt: string;
  /** The proof's unique id; the caller makes sure it is used once. */
  jti: string;
}

/** Key members of private and symmetric JWKs (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2). */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists, except the single use of `jti`, which needs shared
 * state: the caller records it once the whole request is verified. Rejects with an
 * {@link AuthenticationError} (`invalid_dpop_proof`) naming the failed check.
 */
export async function verifyDpopProof(check: DpopProofCheck): Promise<VerifiedDpopProof> {
  const invalid = (message: string, cause?: unknown) =>
    new AuthenticationError(
      'invalid_dpop_proof',
      message,
      dpopChallenge(check.algorithms, 'invalid_dpop_proof'),
      { cause },
    );
  const jwk = proofKey(check, invalid);
  const claims = await verifySignature(check, invalid);
  const { jti, htm, htu, iat } = claims;
  if (typeof jti !== 'string' || jti === '') throw invalid('DPoP proof has no jti');
  if (htm !== check.method) throw invalid('DPoP proof htm does not match the request method');
  if (typeof htu !== 'string' || normaliseHtu(htu) !== normaliseHtu(check.url)) {
    throw invalid('DPoP proof htu does not match the request URL');
  }
  checkIat(iat, check, invalid);
  checkAth(claims.ath, check, invalid);
  return { jkt: await calculateJwkThumbprint(jwk, 'sha256'), jti };
}

type Invalid = (message: string, cause?: unknown) => AuthenticationError;

/** The header checks, before any cryptography; returns the proof's public key. */
function proofKey(check: DpopProofCheck, invalid: Invalid): JWK {
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(check.proof);
  } catch (err) {
    throw invalid('DPoP proof is not a JWT', err);
  }
  if (header.typ !== 'dpop+jwt') throw invalid('DPoP proof typ is not dpop+jwt');
  if (!check.algorithms.some((alg) => alg === header.alg)) {
    throw invalid(`DPoP proof alg ${String(header.alg).slice(0, 32)} is not accepted`);
  }
  const { jwk } = header;
  if (typeof jwk !== 'object' || jwk === null) throw invalid('DPoP proof has no jwk header');
  if (SECRET_MEMBERS.some((member) => member in jwk)) {
    throw invalid('DPoP proof jwk must be a public key, not a private one');
  }
  return jwk;
}

async function verifySignature(check: DpopProofCheck, invalid: Invalid): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(check.proof, EmbeddedJWK, {
      algorithms: [...check.algorithms],
      clockTolerance: check.clockToleranceSec,
      currentDate: new Date(check.now),
    });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWSSignatureVerificationFailed) {
      throw invalid('DPoP proof signature is invalid', err);
    }
    if (err instanceof errors.JOSEError)
      throw invalid(`DPoP proof is invalid: ${err.message}`, err);
    throw err;
  }
}

function checkIat(iat: unknown, check: DpopProofCheck, invalid: Invalid): void {
  if (typeof iat !== 'number') throw invalid('DPoP proof has no iat');
  const age = Math.floor(check.now / 1000) - iat;
  if (age > check.maxAgeSec + check.clockToleranceSec) throw invalid('DPoP proof is too old');
  if (age < -check.clockToleranceSec) throw invalid('DPoP proof iat is in the future');
}

function checkAth(ath: unknown, check: DpopProofCheck, invalid: Invalid): void {
  if (ath === undefined) {
    if (check.requireAth) throw invalid('DPoP proof has no ath');
    return;
  }
  const expected = createHash('sha256').update(check.accessToken).digest('base64url');
  if (typeof ath !== 'string' || !sameSecret(ath, expected)) {
    throw invalid('DPoP proof ath does not match the access token');
  }
}

/** Constant-time string equality (the length is not secret). */
export function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `htu` and the request URL compare without query and fragment, after RFC 3986 §6.2.2–6.2.3
 * normalisation (RFC 9449 §4.3 step 9): the URL parser handles case, default ports and dot
 * segments; percent-encodings are compared in upper case, with unreserved characters decoded.
 */
function normaliseHtu(url: string): string | undefined {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') return undefined;
  const path = parsed.pathname.replace(/%[0-9a-f]{2}/gi, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : encoded.toUpperCase();
  });
  return `${parsed.origin}${path}`;
}
