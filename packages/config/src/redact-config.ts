import type { Config } from './config.js';

const MASK = '***';
/** Query parameters that carry passwords in database and Redis URLs. */
const SECRET_PARAMS = ['password', 'pass'];

/** A copy of `config` safe to print (--dump-config): every password is replaced by '***'. */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    databaseUrl: redactUrl(config.databaseUrl),
    nextcloudUrl: redactUrl(config.nextcloudUrl),
    redis: config.redis.password === undefined ? config.redis : { ...config.redis, password: MASK },
    adminPassword: config.adminPassword === undefined ? undefined : MASK,
    solid:
      config.solid === undefined
        ? undefined
        : { ...config.solid, databaseUrl: redactUrl(config.solid.databaseUrl) },
  };
}

function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Only validated URLs reach here; should one not parse, print nothing of it.
    return MASK;
  }
  if (url.password !== '') url.password = MASK;
  for (const name of SECRET_PARAMS) {
    if (url.searchParams.has(name)) url.searchParams.set(name, MASK);
  }
  return url.href;
}
