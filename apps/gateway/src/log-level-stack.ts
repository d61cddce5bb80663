import { type LogLevel, parseLogSpec } from '@gw/config';
import type { Logger } from 'pino';

/**
 * Run-time log levels as `occ notify_push:log` sets them (flexi_logger's temporary specs):
 * `push` replaces the level and remembers the previous one, `restore` goes back one step.
 * Child loggers follow the root's level, so changing it reaches every component.
 */
export class LogLevelStack {
  readonly #logger: Logger;
  readonly #previous: LogLevel[] = [];

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Throws `InvalidValueError` for a spec flexi_logger would reject; nothing changes then. */
  push(spec: string): void {
    const level = parseLogSpec(spec);
    this.#previous.push(this.#logger.level as LogLevel);
    this.#logger.level = level;
  }

  /** Back to the level before the last `push`; without one, the level stays. */
  restore(): void {
    const level = this.#previous.pop();
    if (level !== undefined) this.#logger.level = level;
  }
}
