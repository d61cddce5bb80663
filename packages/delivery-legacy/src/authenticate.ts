import type { PreAuthStore } from './pre-auth-store.js';
import { INVALID_AUTH_MESSAGE, INVALID_CREDENTIALS } from './protocol.js';

/** The handshake failed; `frame` is the exact text the client gets before the close. */
export class HandshakeError extends Error {
  constructor(readonly frame: string) {
    super(frame);
    this.name = 'HandshakeError';
  }

  /** A failure the client sees as `err: <reason>`. */
  static rejected(reason: string): HandshakeError {
    return new HandshakeError(`err: ${reason}`);
  }
}

export interface Credentials {
  /** Trimmed first frame. */
  readonly username: string;
  /** Trimmed second frame: a password, an app password or a pre-auth token. */
  readonly password: string;
  /** The client's address chain for Nextcloud, the TCP peer last. */
  readonly forwardedFor: readonly string[];
}

export type VerifyCredentials = (
  username: string,
  password: string,
  forwardedFor: readonly string[],
) => Promise<string>;

/**
 * Resolves the uid a handshake authenticates as (reference/notify_push.md §1.2): a pre-auth token
 * in the password wins whatever the username (old web clients send `dummy`); otherwise an empty
 * username fails and anything else is checked against Nextcloud. Throws {@link HandshakeError}.
 */
export async function authenticate(
  credentials: Credentials,
  preAuth: PreAuthStore,
  verify: VerifyCredentials,
  now: number,
): Promise<string> {
  const preAuthUser = preAuth.take(credentials.password, now);
  if (preAuthUser !== undefined) return preAuthUser;
  if (credentials.username === '') throw HandshakeError.rejected(INVALID_CREDENTIALS);
  let uid: unknown;
  try {
    uid = await verify(credentials.username, credentials.password, credentials.forwardedFor);
  } catch (err) {
    throw HandshakeError.rejected(err instanceof Error ? err.message : INVALID_CREDENTIALS);
  }
  if (typeof uid !== 'string' || uid === '') throw HandshakeError.rejected(INVALID_AUTH_MESSAGE);
  return uid;
}
