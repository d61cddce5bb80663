import { isIPv6 } from 'node:net';

/** A config.php host split into the host and what followed its first ':'. */
export interface SplitHost {
  host: string;
  /** The text after the ':' (a port or a socket path), if there was one. */
  rest: string | undefined;
}

/**
 * Splits `host:rest` as nextcloud-config-parser does, but keeps IPv6 literals whole
 * (`::1`, `[::1]:5432`), which upstream mangles.
 */
export function splitHost(text: string): SplitHost {
  if (isIPv6(text)) return { host: text, rest: undefined };
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (bracketed?.[1] !== undefined) return { host: bracketed[1], rest: bracketed[2] };
  const colon = text.indexOf(':');
  if (colon < 0) return { host: text, rest: undefined };
  return { host: text.slice(0, colon), rest: text.slice(colon + 1) };
}

/** The port in `text`, if it is one (1-65535). */
export function asPort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** A host as it goes into a URL authority. */
export function urlHost(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}
