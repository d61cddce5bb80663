import { InvalidValueError } from '@gw/config';
import type { NotifyEventOf } from '@gw/events';
import type { Logger } from 'pino';
import { LogLevelStack } from './log-level-stack.js';
import type { RedisCommands } from './redis-commands.js';
import type { UpstreamMetrics } from './upstream-metrics.js';

export interface ControlChannelsOptions {
  /** The root logger: `notify_config` changes its level, which its children follow. */
  logger: Logger;
  /** Receives `notify_push_metrics`. */
  redis: Pick<RedisCommands, 'set'>;
  /** The counters `notify_query` "metrics" publishes. */
  metrics(): UpstreamMetrics;
}

/**
 * The `notify_*` channels that steer the push server itself rather than reach a user
 * (reference/notify_push.md §3.2): the self-test cookie, the run-time log level, metrics queries.
 */
export class ControlChannels {
  #testCookie = 0;
  readonly #options: ControlChannelsOptions;
  readonly #logger: Logger;
  readonly #levels: LogLevelStack;

  constructor(options: ControlChannelsOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'control' });
    this.#levels = new LogLevelStack(options.logger);
  }

  /** The last cookie `notify_test_cookie` carried; 0 before any. */
  get testCookie(): number {
    return this.#testCookie;
  }

  setTestCookie(cookie: number): void {
    this.#testCookie = cookie;
  }

  config(payload: NotifyEventOf<'notify_config'>['payload']): void {
    if (payload === 'log_restore') {
      this.#levels.restore();
      this.#logger.info({ level: this.#options.logger.level }, 'log level restored');
      return;
    }
    try {
      this.#levels.push(payload.log_spec);
    } catch (err) {
      if (!(err instanceof InvalidValueError)) throw err;
      this.#logger.warn({ reason: err.message }, 'ignoring an invalid log spec');
      return;
    }
    this.#logger.info({ level: this.#options.logger.level }, 'log level changed');
  }

  /** `notify_query` "metrics": the snapshot `occ notify_push:metrics` reads back. */
  query(): void {
    const snapshot = JSON.stringify(this.#options.metrics());
    this.#options.redis.set('notify_push_metrics', snapshot).catch((err: unknown) => {
      this.#logger.warn({ err }, 'could not store notify_push_metrics');
    });
  }
}
