/** Credentials from an `Authorization: Basic …` header. */
export interface BasicCredentials {
  login: string;
  password: string;
}

/** The header is present but is not `Basic base64(login:password)`. */
export class MalformedAuthorizationError extends Error {
  constructor() {
    super('malformed Authorization header');
    this.name = 'MalformedAuthorizationError';
  }
}

/** Decodes HTTP Basic credentials; `undefined` when the request carries none. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined) return undefined;
  const encoded = /^Basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim())?.[1];
  if (encoded === undefined) throw new MalformedAuthorizationError();
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new MalformedAuthorizationError();
  return { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
