/**
 * A configuration problem the operator has to fix. The message is one line and names the setting;
 * `key` is the env var, flag or config.php key it is about, so callers can point at it.
 */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}
