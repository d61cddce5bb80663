import { createHash } from 'node:crypto';
import type pg from 'pg';
import { UnknownUserError } from './nextcloud-errors.js';

/** `oc_storages` rows of home storages, `home::{uid}` (reference/nextcloud_solid.md §B1). */
export class HomeStorages {
  readonly #table: string;

  constructor(table: string) {
    this.#table = table;
  }

  /** Registers the home storage of `uid` unless it exists; returns its numeric id. */
  async create(db: pg.ClientBase, uid: string): Promise<number> {
    await db.query(`INSERT INTO ${this.#table} (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, [
      homeStorageId(uid),
    ]);
    return this.idOf(db, uid);
  }

  /** `oc_storages.numeric_id` of the home of `uid`; {@link UnknownUserError} when it has none. */
  async idOf(db: pg.ClientBase, uid: string): Promise<number> {
    const { rows } = await db.query<{ numeric_id: string }>(
      `SELECT numeric_id FROM ${this.#table} WHERE id = $1`,
      [homeStorageId(uid)],
    );
    const row = rows[0];
    if (!row) throw new UnknownUserError(uid);
    return Number(row.numeric_id);
  }
}

/** `OC\Files\Cache\Storage::adjustStorageId`: ids longer than the column are stored as md5. */
function homeStorageId(uid: string): string {
  const id = `home::${uid}`;
  return id.length > 64 ? createHash('md5').update(id).digest('hex') : id;
}
