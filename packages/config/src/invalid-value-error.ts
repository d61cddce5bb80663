/**
 * Thrown by the value parsers (log spec, Redis URL) with a reason that never repeats the value,
 * so a caller can wrap it into a message without leaking a password.
 */
export class InvalidValueError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidValueError';
  }
}
