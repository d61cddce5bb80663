import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** A throwaway database name this package's tests own. */
export function testDatabaseName(): string {
  return `ngw_nc_${randomBytes(5).toString('hex')}`;
}

export interface MountRow {
  userId: string;
  /** `oc_filecache.path` of the mount root; `null` as some external storages store it. */
  rootPath: string | null;
  mountPoint: string;
}

/** Inserts a storage with its mounts, as Nextcloud does; returns the storage's numeric id. */
export async function insertStorage(
  pool: pg.Pool,
  prefix: string,
  storageName: string,
  mounts: readonly MountRow[],
): Promise<number> {
  const storage = await pool.query<{ numeric_id: string }>(
    `INSERT INTO ${prefix}storages (id) VALUES ($1) RETURNING numeric_id`,
    [storageName],
  );
  const storageId = Number(storage.rows[0]?.numeric_id);
  await insertMounts(pool, prefix, storageId, mounts);
  return storageId;
}

/** Adds mounts of a storage: the `oc_filecache` row of each root (once) and the `oc_mounts` row. */
export async function insertMounts(
  pool: pg.Pool,
  prefix: string,
  storageId: number,
  mounts: readonly MountRow[],
): Promise<void> {
  for (const mount of mounts) {
    const root = await pool.query<{ fileid: string }>(
      `INSERT INTO ${prefix}filecache (storage, path, path_hash, name) VALUES ($1, $2, $3, $4)
       ON CONFLICT (storage, path_hash) DO UPDATE SET name = EXCLUDED.name RETURNING fileid`,
      [storageId, mount.rootPath, md5(mount.rootPath ?? ''), mount.rootPath?.split('/').pop()],
    );
    await pool.query(
      `INSERT INTO ${prefix}mounts (storage_id, root_id, user_id, mount_point, mount_point_hash)
       VALUES ($1, $2, $3, $4, $5)`,
      [storageId, root.rows[0]?.fileid, mount.userId, mount.mountPoint, md5(mount.mountPoint)],
    );
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
