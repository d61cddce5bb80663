import type pg from 'pg';
import { uniqid } from './etag.js';
import { ancestorPaths, baseName, pathHash } from './filecache-path.js';
import { FOLDER_MIMETYPE, type MimetypeIds } from './mimetypes.js';

/** `OCP\Constants::PERMISSION_ALL`; files lack PERMISSION_CREATE (4), as local storage reports. */
const FOLDER_PERMISSIONS = 31;
const FILE_PERMISSIONS = 27;

/** One `oc_filecache` row, as the operations need it. */
export interface CacheEntry {
  fileId: number;
  path: string;
  parent: number;
  name: string;
  mimetype: string;
  size: number;
  mtime: number;
  etag: string;
}

/** What a new row holds; name, path_hash and mimepart follow from it. */
export interface NewCacheEntry {
  path: string;
  /** Parent fileid, `-1` for the storage root. */
  parent: number;
  mimetype: string;
  size: number;
  mtime: number;
  etag: string;
}

type Db = pg.ClientBase | pg.Pool;

interface CacheRow {
  fileid: string;
  path: string;
  parent: string;
  name: string;
  mimetype: string;
  size: string;
  mtime: string;
  etag: string;
}

/** Row-level `oc_filecache` access of one storage table, as `OC\Files\Cache\Cache` does it. */
export class Filecache {
  readonly #table: string;
  readonly #mimetypesTable: string;
  readonly #mimetypes: MimetypeIds;

  constructor(table: string, mimetypesTable: string, mimetypes: MimetypeIds) {
    this.#table = table;
    this.#mimetypesTable = mimetypesTable;
    this.#mimetypes = mimetypes;
  }

  async find(db: Db, storage: number, path: string): Promise<CacheEntry | undefined> {
    const { rows } = await db.query<CacheRow>(
      `SELECT f.fileid, f.path, f.parent, f.name, m.mimetype, f.size, f.mtime, f.etag
         FROM ${this.#table} f JOIN ${this.#mimetypesTable} m ON m.id = f.mimetype
        WHERE f.storage = $1 AND f.path_hash = $2`,
      [storage, pathHash(path)],
    );
    const row = rows[0];
    return row && toEntry(row);
  }

  /** The fileids of those of `paths` that exist, in the order given. */
  async fileIdsAt(db: Db, storage: number, paths: string[]) {
    const { rows } = await db.query<{ fileid: string; path: string }>(
      `SELECT fileid, path FROM ${this.#table} WHERE storage = $1 AND path_hash = ANY($2)`,
      [storage, paths.map(pathHash)],
    );
    const ids = new Map(rows.map((row) => [row.path, Number(row.fileid)]));
    return paths.flatMap((path) => {
      const fileId = ids.get(path);
      return fileId === undefined ? [] : [{ path, fileId }];
    });
  }

  async insert(db: Db, storage: number, entry: NewCacheEntry): Promise<number> {
    const ids = await this.#mimetypes.idsOf(entry.mimetype);
    const permissions = entry.mimetype === FOLDER_MIMETYPE ? FOLDER_PERMISSIONS : FILE_PERMISSIONS;
    const { rows } = await db.query<{ fileid: string }>(
      `INSERT INTO ${this.#table}
         (storage, path, path_hash, parent, name, mimetype, mimepart, size, mtime, storage_mtime,
          etag, permissions)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11) RETURNING fileid`,
      [
        storage,
        entry.path,
        pathHash(entry.path),
        entry.parent,
        baseName(entry.path),
        ids.mimetype,
        ids.mimepart,
        entry.size,
        entry.mtime,
        entry.etag,
        permissions,
      ],
    );
    return Number(rows[0]?.fileid);
  }

  async update(db: Db, fileId: number, change: { size: number; mtime: number; etag: string }) {
    await db.query(
      `UPDATE ${this.#table} SET size = $2, mtime = $3, storage_mtime = $3, etag = $4
        WHERE fileid = $1`,
      [fileId, change.size, change.mtime, change.etag],
    );
  }

  /**
   * `Propagator::propagateChange`: every folder above `path` gets `mtime = GREATEST(mtime, time)`,
   * its size adjusted by `sizeDelta` (unless unknown, -1) and one shared new etag.
   */
  async propagate(db: Db, storage: number, path: string, time: number, sizeDelta: number) {
    await db.query(
      `UPDATE ${this.#table}
          SET mtime = GREATEST(mtime, $3), etag = $4,
              size = CASE WHEN size > -1 THEN GREATEST(size + $5, -1) ELSE size END
        WHERE storage = $1 AND path_hash = ANY($2)`,
      [storage, ancestorPaths(path).map(pathHash), time, uniqid(), sizeDelta],
    );
  }

  /** Deletes the entry at `path` and everything below it; returns the deleted fileids. */
  async removeSubtree(db: Db, storage: number, path: string): Promise<number[]> {
    const { rows } = await db.query<{ fileid: string }>(
      `DELETE FROM ${this.#table}
        WHERE storage = $1 AND (path = $2 OR starts_with(path, $2 || '/')) RETURNING fileid`,
      [storage, path],
    );
    return rows.map((row) => Number(row.fileid));
  }

  /** `Cache::moveFromCache` within one storage: the fileids stay, the subtree's paths follow. */
  async moveSubtree(db: Db, storage: number, entry: CacheEntry, to: string, newParent: number) {
    await db.query(
      `UPDATE ${this.#table} SET path = $3 || substr(path, char_length($2) + 1),
              path_hash = md5($3 || substr(path, char_length($2) + 1))
        WHERE storage = $1 AND starts_with(path, $2 || '/')`,
      [storage, entry.path, to],
    );
    await db.query(
      `UPDATE ${this.#table} SET path = $2, path_hash = $3, parent = $4, name = $5
        WHERE fileid = $1`,
      [entry.fileId, to, pathHash(to), newParent, baseName(to)],
    );
  }
}

function toEntry(row: CacheRow): CacheEntry {
  return {
    fileId: Number(row.fileid),
    path: row.path,
    parent: Number(row.parent),
    name: row.name,
    mimetype: row.mimetype,
    size: Number(row.size),
    mtime: Number(row.mtime),
    etag: row.etag,
  };
}
