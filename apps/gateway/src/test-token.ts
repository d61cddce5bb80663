import { createHash, timingSafeEqual } from 'node:crypto';

/** The request has no `token` header (upstream answers 400). */
export class MissingTestTokenError extends Error {
  constructor() {
    super('Missing request header "token"');
    this.name = 'MissingTestTokenError';
  }
}

/** The `token` header does not match the Redis key `test-token` (upstream answers 500). */
export class WrongTestTokenError extends Error {
  constructor() {
    super('Unhandled rejection: SelfTest(Token)');
    this.name = 'WrongTestTokenError';
  }
}

/** Redis could not tell the expected token: unreachable, or the key is not set (500). */
export class TestTokenUnavailableError extends Error {
  constructor(reason: string) {
    super(`Unhandled rejection: Redis(${reason})`);
    this.name = 'TestTokenUnavailableError';
  }
}

/**
 * Checks a `token` header against the self-test secret (reference/notify_push.md §6.1). The
 * comparison takes the same time wherever the strings differ, and an empty secret matches nothing.
 */
export function checkTestToken(header: string | string[] | undefined, expected: string): string {
  if (header === undefined) throw new MissingTestTokenError();
  const given = Array.isArray(header) ? header.join(', ') : header;
  // Hashing first makes the lengths equal, as timingSafeEqual requires, without leaking them.
  const same = timingSafeEqual(digest(given), digest(expected));
  if (!same || expected === '') throw new WrongTestTokenError();
  return given;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
