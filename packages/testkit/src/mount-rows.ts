import { createHash } from 'node:crypto';
import { mountPointHash } from './mount-cache.js';
import type { SqlRunner } from './sql-runner.js';

/** A mount as the storage mapping reads it back. */
export interface TestMount {
  userId: string;
  /** `oc_filecache.path` of the mount root; `null` as some external storages store it. */
  rootPath: string | null;
  mountPoint: string;
}

/** Rows per multi-row INSERT: well under every driver's limit on bound parameters. */
const BATCH = 500;

/** Inserts a storage with its mounts, as Nextcloud does; resolves to the storage's numeric id. */
export async function insertStorage(
  runner: SqlRunner,
  prefix: string,
  storageName: string,
  mounts: readonly TestMount[],
): Promise<number> {
  const storageId = await runner.insert(
    `INSERT INTO ${prefix}storages (id) VALUES (?)`,
    [storageName],
    'numeric_id',
  );
  await insertMounts(runner, prefix, storageId, mounts);
  return storageId;
}

/** Adds mounts of a storage: the `oc_filecache` row of each root (once) and the `oc_mounts` rows. */
export async function insertMounts(
  runner: SqlRunner,
  prefix: string,
  storageId: number,
  mounts: readonly TestMount[],
): Promise<void> {
  const roots = new Map<string | null, number>();
  for (const { rootPath } of mounts) {
    if (!roots.has(rootPath))
      roots.set(rootPath, await rootId(runner, prefix, storageId, rootPath));
  }
  for (let start = 0; start < mounts.length; start += BATCH) {
    const batch = mounts.slice(start, start + BATCH);
    const values = await Promise.all(
      batch.map(async (mount) => [
        storageId,
        roots.get(mount.rootPath) ?? 0,
        mount.userId,
        mount.mountPoint,
        await mountPointHash(mount.mountPoint),
      ]),
    );
    await runner.run(
      `INSERT INTO ${prefix}mounts (storage_id, root_id, user_id, mount_point, mount_point_hash)
       VALUES ${batch.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      values.flat(),
    );
  }
}

/**
 * The fileid of the storage's node at `path`, inserting its `oc_filecache` row if missing. A NULL
 * path hashes like `''` (unique per storage), so give it a storage without a `''` root.
 */
async function rootId(
  runner: SqlRunner,
  prefix: string,
  storageId: number,
  path: string | null,
): Promise<number> {
  const pathHash = createHash('md5')
    .update(path ?? '')
    .digest('hex');
  const [existing] = await runner.select(
    `SELECT fileid FROM ${prefix}filecache WHERE storage = ? AND path_hash = ?`,
    [storageId, pathHash],
  );
  if (existing !== undefined) return Number(existing.fileid);
  return runner.insert(
    `INSERT INTO ${prefix}filecache (storage, path, path_hash, name) VALUES (?, ?, ?, ?)`,
    [storageId, path, pathHash, path?.split('/').pop() ?? null],
    'fileid',
  );
}
