import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.js';
import {
  OPTIONS,
  parseSettings,
  type RawSettings,
  UNSUPPORTED_OPTIONS,
  unsupported,
} from './options.js';
import type { Settings } from './settings.js';

/**
 * `env` on top of the `.env` file in `cwd`, if there is one (upstream loads it with dotenvy);
 * variables of the real environment win.
 */
export function withDotEnv(env: NodeJS.ProcessEnv, cwd: string): NodeJS.ProcessEnv {
  const path = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError('.env', `Failed to read ${path}: ${(error as Error).message}`);
  }
  const real = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  return { ...parseEnv(text), ...real };
}

/** The settings the environment gives. Empty variables count as unset, except switches. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  for (const option of UNSUPPORTED_OPTIONS) {
    if (env[option.env]) throw unsupported(option.env, option);
  }
  const raw: RawSettings = {};
  for (const option of OPTIONS) {
    const value = env[option.env];
    if (value === undefined) continue;
    if (option.envSwitch === 'presence') raw[option.setting] = true;
    else if (option.envSwitch === 'true') raw[option.setting] = value === 'true';
    else if (value !== '') raw[option.setting] = value;
  }
  return parseSettings(raw, 'env');
}
