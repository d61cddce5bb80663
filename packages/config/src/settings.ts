import { isIP } from 'node:net';
import { z } from 'zod';
import { InvalidValueError } from './invalid-value-error.js';
import { parseLogSpec } from './log-spec.js';
import { clusterOf } from './redis-location.js';
import { parseRedisUrl } from './redis-url.js';

const DATABASE_SCHEMES = new Set(['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'sqlite:']);

/** Runs a parser that throws {@link InvalidValueError} inside a zod transform. */
function via<I, T>(parse: (input: I) => T) {
  return (input: I, ctx: z.RefinementCtx<I>): T => {
    try {
      return parse(input);
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.reason });
      return z.NEVER;
    }
  };
}

function databaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValueError('not a valid URL');
  }
  if (!DATABASE_SCHEMES.has(url.protocol)) {
    throw new InvalidValueError(
      `unsupported scheme ${JSON.stringify(url.protocol)} (use postgres://, postgresql://, mysql://, mariadb:// or sqlite://)`,
    );
  }
  return text;
}

function nextcloudUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValueError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidValueError('expected an http:// or https:// URL');
  }
  return text.endsWith('/') ? text : `${text}/`;
}

/** A URL the gateway hands out as the base of its own URLs; always ends in '/'. */
function publicUrl(text: string): string {
  return nextcloudUrl(text);
}

/** The gateway's own database holds the Solid channels; only PostgreSQL is supported. */
function gatewayDatabaseUrl(text: string): string {
  const url = databaseUrl(text);
  if (!/^postgres(ql)?:/.test(url)) {
    throw new InvalidValueError(
      'the channel store needs PostgreSQL (postgres:// or postgresql://)',
    );
  }
  return url;
}

/** A list given as repeated flags or one variable with spaces or commas between the items. */
const list = z
  .array(z.string())
  .transform((values) => values.flatMap((value) => value.split(/[\s,]+/)).filter((v) => v !== ''));

function issuer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidValueError(`${JSON.stringify(text)} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidValueError('expected http:// or https:// issuer URLs');
  }
  return text;
}

function webIdTemplate(text: string): string {
  if (!text.includes('{uid}') || !URL.canParse(text.replace('{uid}', 'uid'))) {
    throw new InvalidValueError(
      'expected URLs containing {uid}, e.g. https://cloud.example.com/apps/solid/~{uid}/profile/card#me',
    );
  }
  return text;
}

/** An IP address or CIDR block, as the webhook address policy takes them. */
function addressRange(text: string): string {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const validPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
  if (family === 0 || !validPrefix || rest.length > 0) {
    throw new InvalidValueError(`${JSON.stringify(text)} is not an IP address or CIDR block`);
  }
  return text;
}

const seconds = z
  .string()
  .regex(/^\d{1,9}$/, 'expected a whole number of seconds')
  .transform(Number);

/**
 * How each setting's text (from an env var, a flag or config.php) becomes its typed value.
 * Every message says what was expected and never repeats the value, which may be a secret.
 */
export const settingsSchema = z
  .object({
    databaseUrl: z.string().transform(via(databaseUrl)),
    databasePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_]{0,64}$/, 'expected at most 64 letters, digits or underscores'),
    // One URL from REDIS_URL, one or more from --redis-url; two or more describe a cluster.
    redis: z
      .array(z.string().transform(via(parseRedisUrl)))
      .min(1)
      .transform(via(clusterOf)),
    redisTlsCert: z.string().min(1, 'expected a path'),
    redisTlsKey: z.string().min(1, 'expected a path'),
    redisTlsCa: z.string().min(1, 'expected a path'),
    redisTlsDontValidateHostname: z.boolean(),
    redisTlsInsecure: z.boolean(),
    nextcloudUrl: z.string().transform(via(nextcloudUrl)),
    port: z
      .string()
      .regex(/^\d{1,5}$/, 'expected a port number 0-65535')
      .transform(Number)
      .refine((port) => port <= 65535, 'expected a port number 0-65535'),
    bind: z.string().refine((ip) => isIP(ip) !== 0, 'expected an IP address'),
    logLevel: z.string().transform(via(parseLogSpec)),
    maxDebounceTime: seconds,
    maxConnectionTime: seconds,
    debounceDisable: z.boolean(),
    allowSelfSigned: z.boolean(),
    noAnsi: z.boolean(),
    socketPath: z.string().min(1, 'expected a path'),
    socketPermissions: z
      .string()
      // notify_push accepts any 4-character value or one starting with 0, read as octal.
      .regex(/^0?[0-7]{3,4}$/, 'expected an octal mode such as 0660')
      .transform((text) => Number.parseInt(text, 8))
      .refine((mode) => mode <= 0o7777, 'expected an octal mode such as 0660'),
    metricsPort: z
      .string()
      .regex(/^\d{1,5}$/, 'expected a port number 0-65535')
      .transform(Number)
      .refine((port) => port <= 65535, 'expected a port number 0-65535'),
    metricsSocketPath: z.string().min(1, 'expected a path'),
    tlsCert: z.string().min(1, 'expected a path'),
    tlsKey: z.string().min(1, 'expected a path'),
    publicUrl: z.string().transform(via(publicUrl)),
    nextcloudPublicUrl: z.string().transform(via(publicUrl)),
    gatewayDatabaseUrl: z.string().transform(via(gatewayDatabaseUrl)),
    solidMaxChannelDuration: z
      .string()
      .regex(/^[1-9]\d{0,9}$/, 'expected a whole number of seconds, at least 1')
      .transform(Number),
    solidChannelQuota: z
      .string()
      .regex(/^[1-9]\d{0,6}$/, 'expected a whole number from 1 to 9999999')
      .transform(Number),
    solidOidcIssuers: list.transform(via((items: string[]) => items.map(issuer))),
    solidWebIdTemplates: list.transform(via((items: string[]) => items.map(webIdTemplate))),
    webhookAllowedDestinations: list.transform(via((items: string[]) => items.map(addressRange))),
    webhookWorkerDisable: z.boolean(),
    webhookRetrySchedule: z.string().transform(
      via((text: string) =>
        text
          .split(/[\s,]+/)
          .filter((item) => item !== '')
          .map((item) => {
            if (!/^\d{1,7}(\.\d{1,3})?$/.test(item)) {
              throw new InvalidValueError('expected seconds separated by commas, e.g. 5,300,1800');
            }
            return Math.round(Number(item) * 1000);
          }),
      ),
    ),
    webhookDisableAfter: seconds,
    webhookTimeout: z
      .string()
      .regex(/^([1-9]|[12]\d|30)$/, 'expected 1 to 30 seconds')
      .transform(Number),
    adminPassword: z.string().min(12, 'expected at least 12 characters'),
    userAgent: z
      .string()
      .regex(/^[\x20-\x7e]*$/, 'expected printable ASCII (it becomes an HTTP header)'),
  })
  .partial();

/** One source's settings; a setting it does not give is absent. */
export type Settings = z.output<typeof settingsSchema>;
export type SettingName = keyof Settings;
