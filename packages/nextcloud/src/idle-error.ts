import type { Logger } from 'pino';

/** An idle pooled connection died (database restarted); the next query opens a new one. */
export function logIdleError(logger: Logger, err: Error): void {
  logger.warn({ reason: err.message }, 'database connection lost');
}
