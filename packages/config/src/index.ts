export { type CliCommand, type ParseCommandLineOptions, parseCommandLine } from './cli-command.js';
export type {
  Config,
  LogLevel,
  RedisAddress,
  RedisConfig,
  RedisTlsSettings,
  SolidConfig,
  WebhookConfig,
} from './config.js';
export { ConfigError } from './config-error.js';
export { InvalidValueError } from './invalid-value-error.js';
export { type LoadConfigInput, loadConfig } from './load-config.js';
export { parseLogSpec } from './log-spec.js';
export { type PhpArray, type PhpValue, parsePhpConfig } from './php-config.js';
export { redactConfig } from './redact-config.js';
export { usage } from './usage.js';
