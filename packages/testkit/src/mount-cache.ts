import { xxhash128 } from 'hash-wasm';
import type pg from 'pg';

/** The mount providers whose rows the simulated Nextcloud writes. */
export const HOME_MOUNT_PROVIDER = 'OC\\Files\\Mount\\LocalHomeMountProvider';
export const SHARE_MOUNT_PROVIDER = 'OCA\\Files_Sharing\\MountProvider';

export interface MountRow {
  storage: number;
  /** fileid of the mount root. */
  rootId: number;
  user: string;
  /** `/{uid}/` for a home, `/{uid}/files/{name}/` for a received share. */
  mountPoint: string;
  providerClass: string;
}

/** `oc_mounts.mount_point_hash`: `hash('xxh128', $mountPoint)`, as Nextcloud 33 writes it. */
export function mountPointHash(mountPoint: string): Promise<string> {
  return xxhash128(mountPoint);
}

/** `oc_mounts`, as `OC\Files\Config\UserMountCache` keeps it. */
export class MountCache {
  readonly #table: string;

  constructor(table: string) {
    this.#table = table;
  }

  /** Adds the mount unless the user already has it (the table's unique key). */
  async add(db: pg.ClientBase, mount: MountRow): Promise<void> {
    await db.query(
      `INSERT INTO ${this.#table}
         (storage_id, root_id, user_id, mount_point, mount_point_hash, mount_provider_class)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, root_id, mount_point_hash) DO NOTHING`,
      [
        mount.storage,
        mount.rootId,
        mount.user,
        mount.mountPoint,
        await mountPointHash(mount.mountPoint),
        mount.providerClass,
      ],
    );
  }

  /** Forgets every mount rooted at one of `fileIds` (their nodes are gone). */
  async removeForRoots(db: pg.ClientBase, fileIds: number[]): Promise<void> {
    await db.query(`DELETE FROM ${this.#table} WHERE root_id = ANY($1)`, [fileIds]);
  }
}
