import type pg from 'pg';
import type { Filecache } from './filecache.js';
import { normalizePath } from './filecache-path.js';
import type { HomeStorages } from './home-storages.js';
import { FOLDER_MIMETYPE } from './mimetypes.js';
import { type MountCache, SHARE_MOUNT_PROVIDER } from './mount-cache.js';
import { NodeNotFoundError, ShareRefusedError } from './nextcloud-errors.js';
import type { RedisPublisher } from './redis-publisher.js';
import { inTransaction } from './transaction.js';
import { unixTime } from './unix-time.js';

/** `IShare::TYPE_USER`, the only share type notify_push announces. */
const TYPE_USER = 0;
/** `IShare::STATUS_ACCEPTED`: user shares are accepted automatically by default. */
const STATUS_ACCEPTED = 1;
/** Default share permissions: all for folders; read, update and share for files. */
const FOLDER_SHARE_PERMISSIONS = 31;
const FILE_SHARE_PERMISSIONS = 19;

export interface NextcloudSharesOptions {
  /** Nextcloud's database. */
  pool: pg.Pool;
  /** The prefixed `oc_share` table. */
  table: string;
  /** Looks up (and for new users creates) home storages. */
  homes: HomeStorages;
  /** Row access to `oc_filecache`. */
  filecache: Filecache;
  /** Row access to `oc_mounts`. */
  mounts: MountCache;
  /** Where events are PUBLISHed (and self-test keys kept). */
  publisher: RedisPublisher;
}

/**
 * User shares as `DefaultShareProvider` stores them, with the recipient's mount the way
 * `UserMountCache` records it, announced on `notify_user_share_created`.
 */
export class NextcloudShares {
  readonly #options: NextcloudSharesOptions;

  constructor(options: NextcloudSharesOptions) {
    this.#options = options;
  }

  /**
   * Shares `path` in the owner's home with `recipient` (TYPE_USER): an `oc_share` row, the
   * recipient's mount `/{recipient}/files/{name}/` of the owner's storage rooted at the node, then
   * PUBLISH `notify_user_share_created` `{user: recipient}`.
   */
  async share(owner: string, rawPath: string, recipient: string): Promise<void> {
    const { pool, homes, filecache, mounts, publisher } = this.#options;
    const path = normalizePath(rawPath);
    if (owner === recipient) throw new ShareRefusedError('Cannot share with yourself');
    if (!path.startsWith('files/'))
      throw new ShareRefusedError('You cannot share your root folder');
    await inTransaction(pool, async (db) => {
      const storage = await homes.idOf(db, owner);
      await homes.idOf(db, recipient);
      const node = await filecache.find(db, storage, path);
      if (!node) throw new NodeNotFoundError(owner, path);
      await this.#insertShare(db, owner, recipient, node);
      await mounts.add(db, {
        storage,
        rootId: node.fileId,
        user: recipient,
        mountPoint: `/${recipient}/files/${node.name}/`,
        providerClass: SHARE_MOUNT_PROVIDER,
      });
    });
    await publisher.publish('notify_user_share_created', { user: recipient });
  }

  /** Drops the shares of deleted nodes, as the share manager does when a node is deleted. */
  async removeForNodes(db: pg.ClientBase, fileIds: number[]): Promise<void> {
    await db.query(`DELETE FROM ${this.#options.table} WHERE file_source = ANY($1)`, [fileIds]);
  }

  async #insertShare(
    db: pg.ClientBase,
    owner: string,
    recipient: string,
    node: { fileId: number; name: string; mimetype: string },
  ) {
    const table = this.#options.table;
    const existing = await db.query(
      `SELECT 1 FROM ${table} WHERE share_type = $1 AND share_with = $2 AND file_source = $3`,
      [TYPE_USER, recipient, node.fileId],
    );
    if (existing.rowCount) {
      throw new ShareRefusedError(`${node.name} is already shared with ${recipient}`);
    }
    const folder = node.mimetype === FOLDER_MIMETYPE;
    await db.query(
      `INSERT INTO ${table}
         (share_type, share_with, uid_owner, uid_initiator, item_type, item_source, file_source,
          file_target, permissions, stime, accepted)
       VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        TYPE_USER,
        recipient,
        owner,
        folder ? 'folder' : 'file',
        String(node.fileId),
        node.fileId,
        `/${node.name}`,
        folder ? FOLDER_SHARE_PERMISSIONS : FILE_SHARE_PERMISSIONS,
        unixTime(),
        STATUS_ACCEPTED,
      ],
    );
  }
}
