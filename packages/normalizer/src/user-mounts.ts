import type { UserMount } from '@gw/nextcloud';

export interface UserMountsOptions {
  /** `mountsOfUser` of `@gw/nextcloud`'s database. */
  database: { mountsOfUser(userId: string): Promise<UserMount[]> };
  /** How long a user's mounts are reused. @defaultValue 60_000 */
  ttlMs?: number;
  /** Users kept at most; the oldest entry goes first. @defaultValue 10_000 */
  maxUsers?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Where a path of a user's view lives: the storage and the path inside it. */
export interface StorageLocation {
  storageId: number;
  path: string;
}

/**
 * Each user's mounts, cached briefly: what turns a resource URL (a path in the user's view) back
 * into a storage path. Shares and group folders mount other storages into the view, so a path
 * belongs to the mount with the longest mount point containing it.
 */
export class UserMounts {
  readonly #database: UserMountsOptions['database'];
  readonly #ttlMs: number;
  readonly #maxUsers: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { mounts: Promise<UserMount[]>; validUntil: number }>();

  constructor(options: UserMountsOptions) {
    this.#database = options.database;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#maxUsers = options.maxUsers ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The storage location of `path` (`files/...`) in `uid`'s view; `undefined` if unmounted. */
  async locate(uid: string, path: string): Promise<StorageLocation | undefined> {
    return locate(await this.#mounts(uid), uid, path);
  }

  /** Mounts changed (a share, a group membership): load them again when next asked. */
  forgetAll(): void {
    this.#entries.clear();
  }

  #mounts(uid: string): Promise<UserMount[]> {
    const entry = this.#entries.get(uid);
    if (entry !== undefined && this.#now() < entry.validUntil) return entry.mounts;
    const mounts = this.#database.mountsOfUser(uid);
    // A failed load is not cached: the next call asks again.
    mounts.catch(() => this.#entries.delete(uid));
    this.#entries.delete(uid);
    this.#entries.set(uid, { mounts, validUntil: this.#now() + this.#ttlMs });
    if (this.#entries.size > this.#maxUsers) {
      this.#entries.delete(this.#entries.keys().next().value as string);
    }
    return mounts;
  }
}

/** The mount with the longest mount point holding `/{uid}/{path}`, and the path inside it. */
export function locate(
  mounts: readonly UserMount[],
  uid: string,
  path: string,
): StorageLocation | undefined {
  const viewPath = `/${uid}/${path}/`;
  let best: UserMount | undefined;
  for (const mount of mounts) {
    const point = mount.mountPoint.endsWith('/') ? mount.mountPoint : `${mount.mountPoint}/`;
    if (viewPath.startsWith(point) && point.length > (best?.mountPoint.length ?? -1)) {
      best = { ...mount, mountPoint: point };
    }
  }
  if (best === undefined) return undefined;
  const below = viewPath.slice(best.mountPoint.length, -1);
  const storagePath = [best.rootPath, below].filter((part) => part !== '').join('/');
  return { storageId: best.storageId, path: storagePath };
}
