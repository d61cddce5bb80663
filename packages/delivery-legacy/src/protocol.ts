/** Exact frames and close codes of the legacy notify_push protocol (reference/notify_push.md §1). */

export const AUTHENTICATED_FRAME = 'authenticated';

/** Upstream's string, without the `err: ` prefix every other failure has. */
export const AUTH_TIMEOUT_FRAME = 'Authentication timeout';

/** The one client command; an exact match, not trimmed. */
export const LISTEN_FILE_ID_COMMAND = 'listen notify_file_id';

export const INVALID_CREDENTIALS = 'Invalid credentials';
export const INVALID_AUTH_MESSAGE = 'Invalid authentication message';
export const CONNECTION_LIMIT_EXCEEDED = 'Connection limit exceeded for user';

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  policyViolation: 1008,
  serviceRestart: 1012,
} as const;
