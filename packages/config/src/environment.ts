import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError } from './config-error.js';
import { OPTIONS, type OptionSpec, parseSettings, type RawSettings } from './options.js';
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

/**
 * The settings the environment gives. Empty variables count as unset, except presence switches.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Settings {
  const raw: RawSettings = {};
  for (const option of OPTIONS) {
    const value = env[option.env];
    if (value === undefined) continue;
    if (option.envSwitch === 'presence') raw[option.setting] = true;
    else if (option.envSwitch === 'true') raw[option.setting] = value === 'true';
    else if (value === '') continue;
    else if (option.envSwitch === 'u8') raw[option.setting] = u8Switch(option, value);
    else raw[option.setting] = option.repeatable ? [value] : value;
  }
  return parseSettings(raw, 'env');
}

/** Upstream parses these variables as an unsigned byte: `0` is off, `1` (or up to 255) on. */
function u8Switch(option: OptionSpec, value: string): boolean {
  if (/^\d{1,3}$/.test(value) && Number(value) <= 255) return Number(value) !== 0;
  throw new ConfigError(
    option.env,
    `Invalid ${option.env} environment variable: ${JSON.stringify(value)} (expected 0 or 1)`,
  );
}
