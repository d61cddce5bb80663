import type { NextcloudClient, NextcloudDatabase } from '@gw/nextcloud';
import type { Logger } from 'pino';
import type { RedisCommands } from './redis-commands.js';

export interface StartupSelfTestOptions {
  /** Queried directly, not through the mapping cache, so the check leaves no entry behind. */
  database: Pick<NextcloudDatabase, 'mountsForStorage'>;
  redis: Pick<RedisCommands, 'get' | 'del'>;
  nextcloud: Pick<NextcloudClient, 'requestAppVersion'>;
  /** The version the app is expected to report: the notify_push release reproduced. */
  version: string;
  logger: Logger;
}

/** The app did not store its version where the push server reads it. */
class AppVersionMissingError extends Error {
  constructor() {
    super('the app did not report its version (notify_push_app_version is not set)');
    this.name = 'AppVersionMissingError';
  }
}

/**
 * Upstream's check at start-up (reference/notify_push.md §5.3): the database answers the mapping
 * query, Nextcloud reaches the app, and the app runs the same version. Failures are only logged:
 * the gateway serves anyway and recovers when the world does.
 */
export async function runStartupSelfTest(options: StartupSelfTestOptions): Promise<void> {
  const { redis, logger } = options;
  try {
    await options.database.mountsForStorage(1);
    await redis.del('notify_push_app_version');
    await options.nextcloud.requestAppVersion();
    const appVersion = await redis.get('notify_push_app_version');
    if (appVersion === null) throw new AppVersionMissingError();
    if (appVersion !== options.version) {
      logger.warn(
        { appVersion, version: options.version },
        `push server (version ${options.version}) is not the same version as the app (version ${appVersion})`,
      );
      return;
    }
    logger.info('self test passed');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    logger.error({ reason }, `Self test failed: ${reason}`);
  }
}
