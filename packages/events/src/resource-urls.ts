/**
 * Sabre's `encodePath`, which Nextcloud's WebDAV uses for every href: these characters stay,
 * every other byte of the UTF-8 encoding becomes `%XX` (upper case).
 */
const KEPT = /^[A-Za-z0-9_\-.~():@]$/;
/** `.` or `..` as a path segment, also percent-encoded. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?:[/?#]|$)/i;

/** A WebDAV URL of a user's file or folder, taken apart. */
export interface ResourceLocation {
  /** The Nextcloud user id in the URL. */
  uid: string;
  /** The path in the user's home: `files` for the root, `files/docs/a.txt` below it. */
  path: string;
  /** Whether the URL names a folder (ends in `/`). */
  isFolder: boolean;
  /** The same URL in canonical form. */
  url: string;
}

/**
 * The identity of Nextcloud files as resources: `{NEXTCLOUD_URL}remote.php/dav/files/{uid}/{path}`,
 * folders ending in `/`, every segment in Nextcloud's own percent-encoding and Unicode NFC (as
 * Nextcloud stores paths), so two spellings of one resource compare equal as strings.
 */
export class ResourceUrls {
  /** `{NEXTCLOUD_URL}remote.php/dav/files/`, canonical. */
  readonly filesRoot: string;
  readonly #rootPath: string;
  readonly #origin: string;

  constructor(nextcloudUrl: string) {
    const base = new URL(nextcloudUrl.endsWith('/') ? nextcloudUrl : `${nextcloudUrl}/`);
    const root = new URL('remote.php/dav/files/', base);
    this.#origin = root.origin;
    this.#rootPath = root.pathname;
    this.filesRoot = `${root.origin}${root.pathname}`;
  }

  /**
   * The URL of `path` (`files` or `files/...`) in `uid`'s home; `undefined` for paths outside
   * `files/` (trash, versions), which are not resources.
   */
  url(uid: string, path: string, isFolder: boolean): string | undefined {
    if (path !== 'files' && !path.startsWith('files/')) return undefined;
    const below = path.slice('files'.length + 1);
    const segments = below === '' ? [] : below.split('/');
    const encoded = [uid, ...segments].map(encodeSegment).join('/');
    return `${this.filesRoot}${encoded}${isFolder || segments.length === 0 ? '/' : ''}`;
  }

  /**
   * Takes a URL apart if it names a resource of this Nextcloud, whatever its percent-encoding;
   * `undefined` for any other URL, one with a query or fragment, or one with empty, `.` or `..`
   * segments.
   */
  parse(text: string): ResourceLocation | undefined {
    if (!URL.canParse(text)) return undefined;
    const url = new URL(text);
    if (url.origin !== this.#origin || url.search !== '' || url.hash !== '') return undefined;
    // The URL parser already resolved dot segments, so look for them in what was sent.
    if (!url.pathname.startsWith(this.#rootPath) || DOT_SEGMENT.test(text)) return undefined;
    const segments = decodeSegments(url.pathname.slice(this.#rootPath.length));
    const [uid, ...rest] = segments ?? [];
    if (uid === undefined || uid === '') return undefined;
    const isFolder = rest.length === 0 || rest.at(-1) === '';
    if (isFolder && rest.length > 0) rest.pop();
    if (rest.some((segment) => segment === '')) return undefined;
    const path = ['files', ...rest].join('/');
    return { uid, path, isFolder, url: this.url(uid, path, isFolder) as string };
  }
}

/** One path segment, encoded as Nextcloud writes it in WebDAV hrefs. */
export function encodeSegment(segment: string): string {
  let out = '';
  for (const char of segment.normalize('NFC')) {
    out += KEPT.test(char)
      ? char
      : Array.from(
          Buffer.from(char, 'utf8'),
          (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join('');
  }
  return out;
}

function decodeSegments(path: string): string[] | undefined {
  try {
    return path.split('/').map((segment) => decodeURIComponent(segment).normalize('NFC'));
  } catch {
    return undefined;
  }
}

/**
 * The key two spellings of one resource share, folder or not: the canonical URL without its
 * final `/`. A deleted entry's kind is not always known, and a subscriber may have written
 * either form.
 */
export function resourceKey(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}
