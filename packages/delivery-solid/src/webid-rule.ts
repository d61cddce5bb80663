import { issuerKey } from './trusted-issuers.js';

/** Nextcloud refuses longer user ids. */
const MAX_UID_LENGTH = 64;
const PLACEHOLDER = '{uid}';
const ENCODED_PLACEHOLDER = '%7Buid%7D';

export interface WebIdRuleOptions {
  /**
   * WebID templates, each an absolute http(s) URL with `{uid}` once in its path, written in
   * normalised form (lowercase scheme and host, no default port): matching is exact.
   */
  templates: readonly string[];
  /**
   * The issuers allowed to vouch for these WebIDs, compared with and without a trailing slash:
   * normally Nextcloud's own, its base URL (reference/nextcloud_solid.md §A6). Another trusted
   * issuer could otherwise mint a token for `…/~admin/profile/card#me` and act as admin.
   */
  issuers: readonly string[];
}

interface Template {
  prefix: string;
  suffix: string;
}

/**
 * The Nextcloud Solid app's WebID forms (reference/nextcloud_solid.md §A2): `~{uid}` since
 * v0.10.0, `@{uid}` before, each with and without `index.php` (pretty URLs on or off).
 */
export function defaultWebIdTemplates(nextcloudUrl: string): string[] {
  const base = new URL(nextcloudUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError('the Nextcloud URL must be an absolute http:// or https:// URL');
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return ['~', '@'].flatMap((sigil) =>
    ['', 'index.php/'].map(
      (front) => `${base.href}${front}apps/solid/${sigil}{uid}/profile/card#me`,
    ),
  );
}

/**
 * Maps a WebID to a Nextcloud uid by URL templates. The WebID ↔ uid link is only a URL convention
 * of the Solid app (reference/nextcloud_solid.md §A7), so anything not matching exactly maps to
 * nothing rather than to a guess.
 */
export class WebIdRule {
  readonly #templates: readonly Template[];
  readonly #issuers: ReadonlySet<string>;

  constructor(options: WebIdRuleOptions) {
    this.#templates = options.templates.map(parseTemplate);
    this.#issuers = new Set(options.issuers.map(issuerKey));
  }

  /** The uid of `webId` when `issuer` may vouch for it, else `undefined`. */
  toUid(webId: string, issuer: string): string | undefined {
    if (!this.#issuers.has(issuerKey(issuer))) return undefined;
    for (const template of this.#templates) {
      const uid = match(template, webId);
      if (uid !== undefined) return uid;
    }
    return undefined;
  }
}

function parseTemplate(template: string): Template {
  const url = URL.canParse(template) ? new URL(template) : undefined;
  const parts = template.split(PLACEHOLDER);
  // `{` is percent-encoded in a path only: in the query or fragment it stays, in a host it fails.
  if (url === undefined || parts.length !== 2 || !url.pathname.includes(ENCODED_PLACEHOLDER)) {
    throw new TypeError(
      `WebID template ${template} must be a URL with ${PLACEHOLDER} once in its path`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`WebID template ${template} must be an http:// or https:// URL`);
  }
  const normalised = url.href.replace(ENCODED_PLACEHOLDER, PLACEHOLDER);
  if (normalised !== template) {
    throw new TypeError(`WebID template ${template} is not normalised; write ${normalised}`);
  }
  const [prefix = '', suffix = ''] = parts;
  return { prefix, suffix };
}

function match({ prefix, suffix }: Template, webId: string): string | undefined {
  if (webId.length < prefix.length + suffix.length) return undefined;
  if (!webId.startsWith(prefix) || !webId.endsWith(suffix)) return undefined;
  const segment = webId.slice(prefix.length, webId.length - suffix.length);
  // A raw `?` or `#` would start the query or fragment: the WebID would not be this template's.
  if (/[?#]/.test(segment)) return undefined;
  const uid = decode(segment);
  return uid !== undefined && plausibleUid(uid) ? uid : undefined;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function plausibleUid(uid: string): boolean {
  return uid !== '' && uid.length <= MAX_UID_LENGTH && !/[/\p{Cc}]/u.test(uid);
}
