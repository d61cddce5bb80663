/**
 * Why a credential check failed. Each `message` is exactly upstream's text, because the legacy
 * protocol sends it to the client as `err: ${message}` (reference/notify_push.md §1.2).
 */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('Invalid credentials');
    this.name = 'InvalidCredentialsError';
  }
}

/** Nextcloud answered 200 with a body that is not a user id (not UTF-8, empty or too long). */
export class InvalidAuthenticationMessageError extends Error {
  constructor() {
    super('Invalid authentication message');
    this.name = 'InvalidAuthenticationMessageError';
  }
}

/** The credential check itself failed: Nextcloud is unreachable or answered an error status. */
export class NextcloudRequestError extends Error {
  constructor(detail: string) {
    super(`Error while sending authentication request to nextcloud: ${detail}`);
    this.name = 'NextcloudRequestError';
  }
}

/** Nextcloud answered a status other than 200 and 401. */
export class NextcloudStatusError extends NextcloudRequestError {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = 'NextcloudStatusError';
  }
}

/** No answer: connection refused, TLS failure, timeout. */
export class NextcloudUnreachableError extends NextcloudRequestError {
  constructor(reason: string) {
    super(`Error while connecting to nextcloud: ${reason}`);
    this.name = 'NextcloudUnreachableError';
  }
}
