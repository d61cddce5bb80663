import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { type PhpValue, parsePhpConfig } from './php-config.js';
import { databaseUrlFromPhp } from './php-database.js';
import { type PhpRedis, redisFromPhp } from './php-redis.js';
import { readPhpValues } from './php-values.js';
import { settingsSchema } from './settings.js';

/** What a Nextcloud config.php contributes to the configuration. */
export interface NextcloudConfigFile {
  /** `overwrite.cli.url`, ending in '/'. */
  nextcloudUrl: string;
  /** `dbtableprefix`, if set. */
  databasePrefix: string | undefined;
  /**
   * The database URL (§4.5). Built on demand: when DATABASE_URL overrides it, config.php's
   * database keys do not have to make sense.
   */
  databaseUrl(): string;
  /**
   * The Redis server (`notify_push_redis`, else `redis.cluster`, else `redis`) and its
   * `ssl_context`, built on demand like the database.
   */
  redis(): PhpRedis;
}

const fileKeys = z.object({
  'overwrite.cli.url': z.string().nullish(),
  dbtableprefix: settingsSchema.shape.databasePrefix.unwrap().nullish(),
});
const nextcloudUrlKey = z.object({
  'overwrite.cli.url': settingsSchema.shape.nextcloudUrl.unwrap(),
});

/**
 * Parses config.php (never executing it) and, with `glob`, every `*.config.php` beside it in
 * name order, later files replacing top-level keys as Nextcloud does.
 */
export function readNextcloudConfig(path: string, glob: boolean): NextcloudConfigFile {
  const config: Record<string, PhpValue> = Object.create(null);
  Object.assign(config, parsePhpConfig(readText(path), path));
  for (const file of glob ? siblingConfigs(path) : []) {
    Object.assign(config, parsePhpConfig(readText(file), file));
  }
  const keys = readPhpValues(fileKeys, config, path);
  if (!keys['overwrite.cli.url']) {
    throw new ConfigError('overwrite.cli.url', `\`overwrite.cli.url\` not set in ${path}`);
  }
  return {
    nextcloudUrl: readPhpValues(nextcloudUrlKey, config, path)['overwrite.cli.url'],
    databasePrefix: keys.dbtableprefix ?? undefined,
    databaseUrl: () => databaseUrlFromPhp(config, path),
    redis: () => redisFromPhp(config, path),
  };
}

function siblingConfigs(path: string): string[] {
  const directory = dirname(path);
  const own = basename(path);
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw new ConfigError('--glob-config', `Failed to list ${directory}: ${errorCode(error)}`);
  }
  return names
    .filter((name) => name.endsWith('.config.php') && name !== own)
    .sort()
    .map((name) => join(directory, name));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_FILE', `Failed to read config file ${file}: ${errorCode(error)}`);
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}
