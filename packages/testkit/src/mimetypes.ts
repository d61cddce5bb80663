import type pg from 'pg';

export const FOLDER_MIMETYPE = 'httpd/unix-directory';

const BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  ttl: 'text/turtle',
  json: 'application/json',
  jsonld: 'application/ld+json',
  pdf: 'application/pdf',
  odt: 'application/vnd.oasis.opendocument.text',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
};

/** Nextcloud's guess from the file name, as its mimetype detector does for uploads. */
export function mimetypeForName(name: string): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  return BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/**
 * `oc_mimetypes` ids, inserted on first use and cached, as `OC\Files\Type\Loader` does. Inserts
 * go through the pool, outside any file operation's transaction, so a rolled-back operation
 * cannot leave a cached id that does not exist.
 */
export class MimetypeIds {
  readonly #pool: pg.Pool;
  readonly #table: string;
  readonly #ids = new Map<string, number>();

  constructor(pool: pg.Pool, table: string) {
    this.#pool = pool;
    this.#table = table;
  }

  /** The ids of `mimetype` and of its major part (`oc_filecache.mimetype` / `mimepart`). */
  async idsOf(mimetype: string): Promise<{ mimetype: number; mimepart: number }> {
    const [major = mimetype] = mimetype.split('/');
    return { mimetype: await this.#idOf(mimetype), mimepart: await this.#idOf(major) };
  }

  async #idOf(mimetype: string): Promise<number> {
    const cached = this.#ids.get(mimetype);
    if (cached !== undefined) return cached;
    await this.#pool.query(
      `INSERT INTO ${this.#table} (mimetype) VALUES ($1) ON CONFLICT (mimetype) DO NOTHING`,
      [mimetype],
    );
    const { rows } = await this.#pool.query<{ id: string }>(
      `SELECT id FROM ${this.#table} WHERE mimetype = $1`,
      [mimetype],
    );
    const id = Number(rows[0]?.id);
    this.#ids.set(mimetype, id);
    return id;
  }
}
