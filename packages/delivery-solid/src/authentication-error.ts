/**
 * RFC 6750 §3.1 error codes, plus RFC 9449 §7.1's `invalid_dpop_proof`:
 * - `invalid_request`: the Authorization header cannot be parsed or names an unsupported scheme;
 * - `invalid_token`: the access token or the credentials were checked and refused;
 * - `invalid_dpop_proof`: the DPoP proof is missing or invalid.
 */
export type AuthenticationErrorCode = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof';

/** The Basic challenge (RFC 7617 §2.1): the realm Nextcloud's own Basic auth uses, in UTF-8. */
export const BASIC_CHALLENGE = 'Basic realm="Nextcloud", charset="UTF-8"';

/** The DPoP challenge (RFC 9449 §7.1): the accepted proof algorithms, and why a token failed. */
export function dpopChallenge(
  algorithms: readonly string[],
  error?: AuthenticationErrorCode,
): string {
  const challenge = `DPoP algs="${algorithms.join(' ')}"`;
  return error === undefined ? challenge : `${challenge}, error="${error}"`;
}

/**
 * The request is not authenticated: answer 401 with `wwwAuthenticate` as the `WWW-Authenticate`
 * header. The message is for the client and never contains a password or a token.
 */
export class AuthenticationError extends Error {
  readonly status = 401;

  constructor(
    readonly error: AuthenticationErrorCode,
    message: string,
    readonly wwwAuthenticate: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AuthenticationError';
  }
}

/**
 * Nextcloud, the token issuer or the replay store could not answer, so the credentials could not
 * be checked: answer 503, the client is not at fault. The message names what failed, never the
 * credentials; `cause` keeps the underlying error for the logs.
 */
export class AuthenticationUnavailableError extends Error {
  readonly status = 503;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuthenticationUnavailableError';
  }
}
