import type { z } from 'zod';
import { ConfigError } from './config-error.js';

/**
 * Validates part of a parsed config.php against `schema`; the first problem becomes a
 * {@link ConfigError} keyed by the config.php key (`redis.port`, `dbport`, …).
 */
export function readPhpValues<S extends z.ZodType>(
  schema: S,
  values: unknown,
  file: string,
  keyPrefix?: string,
): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  const key = [...(keyPrefix === undefined ? [] : [keyPrefix]), ...path].join('.');
  throw new ConfigError(key, `Invalid ${key} in ${file}: ${issue?.message ?? 'invalid value'}`);
}
