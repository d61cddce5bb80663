import type pg from 'pg';
import { fileEtag, uniqid } from './etag.js';
import type { Filecache } from './filecache.js';
import { ancestorPaths, baseName, normalizePath, parentPath } from './filecache-path.js';
import type { HomeStorages } from './home-storages.js';
import { FOLDER_MIMETYPE, mimetypeForName } from './mimetypes.js';
import { HOME_MOUNT_PROVIDER, type MountCache } from './mount-cache.js';
import { InvalidInputError, NodeExistsError, NodeNotFoundError } from './nextcloud-errors.js';
import type { NextcloudShares } from './nextcloud-shares.js';
import type { RedisPublisher } from './redis-publisher.js';
import { inTransaction } from './transaction.js';
import { unixTime } from './unix-time.js';

/** One `notify_storage_update` payload. */
interface StorageUpdate {
  storage: number;
  path: string;
  file_id: number;
}

/** What a file operation did, and what Nextcloud publishes about it once it is committed. */
interface Change<T> {
  result: T;
  updates: StorageUpdate[];
}

export interface NextcloudFilesOptions {
  /** Nextcloud's database. */
  pool: pg.Pool;
  /** Looks up (and for new users creates) home storages. */
  homes: HomeStorages;
  /** Row access to `oc_filecache`. */
  filecache: Filecache;
  /** Row access to `oc_mounts`. */
  mounts: MountCache;
  /** Drops the shares of deleted nodes. */
  shares: NextcloudShares;
  /** Where events are PUBLISHed (and self-test keys kept). */
  publisher: RedisPublisher;
}

/**
 * File operations in users' home storages as Nextcloud performs them: `oc_filecache` rows,
 * etag/mtime/size propagation to every ancestor, then one `notify_storage_update` for the entry
 * and for each folder above it inside `files` (reference/notify_push.md §3.2). Parent folders
 * must exist, as for WebDAV PUT and MKCOL.
 */
export class NextcloudFiles {
  readonly #options: NextcloudFilesOptions;

  constructor(options: NextcloudFilesOptions) {
    this.#options = options;
  }

  /**
   * The home as Nextcloud sets it up on first login: storage `home::{uid}`, its root `''` and
   * `files` folders, and the mount `/{uid}/`. Publishes nothing; keeps what already exists.
   */
  async setUpHome(uid: string): Promise<{ storage: number }> {
    const { pool, homes, mounts } = this.#options;
    return inTransaction(pool, async (db) => {
      const storage = await homes.create(db, uid);
      const root = await this.#ensureFolder(db, storage, '', -1);
      await this.#ensureFolder(db, storage, 'files', root);
      const mountPoint = `/${uid}/`;
      await mounts.add(db, {
        storage,
        rootId: root,
        user: uid,
        mountPoint,
        providerClass: HOME_MOUNT_PROVIDER,
      });
      return { storage };
    });
  }

  /** Creates or overwrites a file; without `content` an existing file keeps its size (a touch). */
  async writeFile(
    uid: string,
    rawPath: string,
    content?: string | Buffer,
  ): Promise<{ fileId: number; etag: string }> {
    const path = normalizePath(rawPath);
    return this.#change(uid, async (db, storage) => {
      const { filecache } = this.#options;
      const existing = await filecache.find(db, storage, path);
      if (existing?.mimetype === FOLDER_MIMETYPE) throw new NodeExistsError(uid, path);
      const mtime = unixTime();
      const oldSize = existing?.size ?? 0;
      const size = content === undefined ? oldSize : Buffer.byteLength(content);
      const etag = fileEtag(mtime, size);
      let fileId = existing?.fileId;
      if (fileId === undefined) {
        const parent = await this.#folderId(db, uid, storage, parentPath(path));
        const mimetype = mimetypeForName(baseName(path));
        fileId = await filecache.insert(db, storage, { path, parent, mimetype, size, mtime, etag });
      } else {
        await filecache.update(db, fileId, { size, mtime, etag });
      }
      await filecache.propagate(db, storage, path, mtime, size - oldSize);
      const updates = await this.#updates(db, storage, { path, fileId }, ancestorPaths(path));
      return { result: { fileId, etag }, updates };
    });
  }

  async mkdir(uid: string, rawPath: string): Promise<{ fileId: number }> {
    const path = normalizePath(rawPath);
    return this.#change(uid, async (db, storage) => {
      const { filecache } = this.#options;
      if (await filecache.find(db, storage, path)) throw new NodeExistsError(uid, path);
      const parent = await this.#folderId(db, uid, storage, parentPath(path));
      const mtime = unixTime();
      const folder = { path, parent, mimetype: FOLDER_MIMETYPE, size: 0, mtime, etag: uniqid() };
      const fileId = await filecache.insert(db, storage, folder);
      await filecache.propagate(db, storage, path, mtime, 0);
      const updates = await this.#updates(db, storage, { path, fileId }, ancestorPaths(path));
      return { result: { fileId }, updates };
    });
  }

  /** Removes the entry, its subtree, and the shares and mounts rooted in it. */
  async delete(uid: string, rawPath: string): Promise<void> {
    const path = userPath(rawPath);
    await this.#change(uid, async (db, storage) => {
      const { filecache, mounts, shares } = this.#options;
      const entry = await this.#existing(db, uid, storage, path);
      const removed = await filecache.removeSubtree(db, storage, path);
      await mounts.removeForRoots(db, removed);
      await shares.removeForNodes(db, removed);
      await filecache.propagate(db, storage, path, unixTime(), -entry.size);
      const updates = await this.#updates(
        db,
        storage,
        { path, fileId: entry.fileId },
        ancestorPaths(path),
      );
      return { result: undefined, updates };
    });
  }

  /** Renames within the home: same fileid, new path, parent and name; the subtree follows. */
  async move(uid: string, rawFrom: string, rawTo: string): Promise<void> {
    const from = userPath(rawFrom);
    const to = userPath(rawTo);
    if (to === from || to.startsWith(`${from}/`)) {
      throw new InvalidInputError(`cannot move ${JSON.stringify(from)} into itself`);
    }
    await this.#change(uid, async (db, storage) => {
      const { filecache } = this.#options;
      const entry = await this.#existing(db, uid, storage, from);
      if (await filecache.find(db, storage, to)) throw new NodeExistsError(uid, to);
      const parent = await this.#folderId(db, uid, storage, parentPath(to));
      await filecache.moveSubtree(db, storage, entry, to, parent);
      const time = unixTime();
      await filecache.propagate(db, storage, from, time, -entry.size);
      await filecache.propagate(db, storage, to, time, entry.size);
      // Both the old and the new location changed; each folder is announced once.
      const folders = [...new Set([...ancestorPaths(to), ...ancestorPaths(from)])];
      const updates = await this.#updates(db, storage, { path: to, fileId: entry.fileId }, folders);
      return { result: undefined, updates };
    });
  }

  /** Runs one operation in a transaction, then publishes its updates once they are visible. */
  async #change<T>(
    uid: string,
    work: (db: pg.PoolClient, storage: number) => Promise<Change<T>>,
  ): Promise<T> {
    const { pool, homes, publisher } = this.#options;
    const { result, updates } = await inTransaction(pool, async (db) =>
      work(db, await homes.idOf(db, uid)),
    );
    for (const update of updates) await publisher.publish('notify_storage_update', update);
    return result;
  }

  /** The entry and the given folders, minus what `Listener::shouldNotifyPath` filters out. */
  async #updates(
    db: pg.ClientBase,
    storage: number,
    entry: { path: string; fileId: number },
    folders: string[],
  ): Promise<StorageUpdate[]> {
    const published = folders.filter(isPublishedHomePath);
    const ids = await this.#options.filecache.fileIdsAt(db, storage, published);
    return [entry, ...ids]
      .filter((update) => isPublishedHomePath(update.path))
      .map(({ path, fileId }) => ({ storage, path, file_id: fileId }));
  }

  async #existing(db: pg.ClientBase, uid: string, storage: number, path: string) {
    const entry = await this.#options.filecache.find(db, storage, path);
    if (!entry) throw new NodeNotFoundError(uid, path);
    return entry;
  }

  /** The fileid of the folder at `path`; {@link NodeNotFoundError} when there is none. */
  async #folderId(db: pg.ClientBase, uid: string, storage: number, path: string) {
    const entry = await this.#existing(db, uid, storage, path);
    if (entry.mimetype !== FOLDER_MIMETYPE) throw new NodeNotFoundError(uid, path);
    return entry.fileId;
  }

  async #ensureFolder(db: pg.ClientBase, storage: number, path: string, parent: number) {
    const { filecache } = this.#options;
    const existing = await filecache.find(db, storage, path);
    if (existing) return existing.fileId;
    const mtime = unixTime();
    const folder = { path, parent, mimetype: FOLDER_MIMETYPE, size: 0, mtime, etag: uniqid() };
    return filecache.insert(db, storage, folder);
  }
}

/**
 * A path a user may delete or move: not the home root and not `files` itself, which Nextcloud
 * never lets a user touch.
 */
function userPath(rawPath: string): string {
  const path = normalizePath(rawPath);
  if (path === '' || path === 'files') {
    throw new InvalidInputError(`cannot delete or move the home folder ${JSON.stringify(path)}`);
  }
  return path;
}

/** `Listener::shouldNotifyPath` for home storages: only `files` and what is below it. */
function isPublishedHomePath(path: string): boolean {
  return path === 'files' || path.startsWith('files/');
}
