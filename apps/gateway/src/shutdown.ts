import type { Logger } from 'pino';

/**
 * Resolves on the first SIGTERM or SIGINT so the caller can shut down gracefully; a second signal
 * while that is under way exits at once.
 */
export function onShutdownSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handle = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      process.removeListener('SIGTERM', handle);
      process.removeListener('SIGINT', handle);
      process.once('SIGTERM', () => process.exit(1));
      process.once('SIGINT', () => process.exit(1));
      resolve(signal);
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  });
}
