import type { LogLevel } from './config.js';
import { InvalidValueError } from './invalid-value-error.js';

const LEVELS = new Map<string, LogLevel>([
  ['off', 'silent'],
  ['error', 'error'],
  ['warn', 'warn'],
  ['info', 'info'],
  ['debug', 'debug'],
  ['trace', 'trace'],
]);

/** The module whose level we adopt: upstream's own log lines come from the `notify_push` crate. */
const MODULE = 'notify_push';

interface Filter {
  module: string | undefined;
  level: LogLevel;
}

/**
 * Maps a flexi_logger spec (`warn`, `notify_push=debug`, `notify_push=debug,warn`, `off`) to the
 * pino level flexi_logger would apply to `notify_push`: the longest module filter that is a
 * string prefix of it (flexi_logger's own matching), else the bare default level, else silent.
 * Throws {@link InvalidValueError} for a spec flexi_logger would reject.
 */
export function parseLogSpec(spec: string): LogLevel {
  if (spec.includes('/')) {
    throw new InvalidValueError('log text filters ("/regex") are not supported');
  }
  const filters = spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parseFilter);
  const matching = filters
    .filter((filter) => filter.module !== undefined && MODULE.startsWith(filter.module))
    .sort((a, b) => (a.module?.length ?? 0) - (b.module?.length ?? 0));
  const defaults = filters.filter((filter) => filter.module === undefined);
  return (matching.at(-1) ?? defaults.at(-1))?.level ?? 'silent';
}

function parseFilter(part: string): Filter {
  const [name = '', level, extra] = part.split('=').map((piece) => piece.trim());
  if (extra !== undefined || /\s/.test(name)) {
    throw new InvalidValueError(`invalid part ${JSON.stringify(part)} in log spec`);
  }
  if (level === undefined) {
    // A lone word is a default level if it names one, else a module traced at every level.
    const asLevel = LEVELS.get(name.toLowerCase());
    return asLevel ? { module: undefined, level: asLevel } : { module: name, level: 'trace' };
  }
  if (level === '') return { module: name, level: 'trace' };
  const parsed = LEVELS.get(level.toLowerCase());
  if (!parsed) {
    throw new InvalidValueError(
      `unknown level ${JSON.stringify(level)} in log spec (use off, error, warn, info, debug or trace)`,
    );
  }
  return { module: name, level: parsed };
}
