import type { ResourceActivity, ResourceEvent, ResourceUrls } from '@gw/events';
import type { FileEntry, NextcloudDatabase } from '@gw/nextcloud';
import { isBelowRoot, type MountedRoot, userPath } from './mount-match.js';
import { ResourceMemory } from './resource-memory.js';
import { type StorageChange, type StorageUpdate, storageChanges } from './storage-change.js';

export interface ResourceTrackerOptions {
  /** Mounts per storage; in production the cached `StorageMapping` of `@gw/nextcloud`. */
  mapping: { mounts(storageId: number): Promise<readonly MountedRoot[]> };
  /** Nextcloud's filecache. */
  files: Pick<NextcloudDatabase, 'filesById' | 'filesByPath' | 'maxFileId'>;
  urls: ResourceUrls;
  /**
   * Whether anyone listens to resources of these users. Updates nobody listens to cost no
   * query. @defaultValue every user
   */
  interested?: (users: readonly string[]) => boolean;
  /** @defaultValue a memory of 200,000 entries */
  memory?: ResourceMemory;
}

interface Pending {
  update: StorageUpdate;
  receivedAt: number;
  resolve(events: ResourceEvent[]): void;
  reject(err: unknown): void;
}

/**
 * Turns storage updates into resource activities per user (reference/solid.md §3.4): `Create`,
 * `Update`, `Delete` on the entry and `Add`/`Remove` on its folder, at each user's WebDAV URL.
 *
 * Updates of one storage are handled in order, in batches: while one batch's queries run, the
 * next updates queue up and are looked up together, so a burst costs a few queries, not one
 * per update (Nextcloud publishes every change once per folder level above it).
 */
export class ResourceTracker {
  readonly memory: ResourceMemory;
  readonly #options: ResourceTrackerOptions;
  readonly #queues = new Map<number, Pending[]>();

  constructor(options: ResourceTrackerOptions) {
    this.#options = options;
    this.memory = options.memory ?? new ResourceMemory();
  }

  /**
   * Notes the highest fileid now, so files created from here on are announced as created. Call
   * it at start-up; when the database cannot answer yet, the first update does it instead.
   */
  async start(): Promise<void> {
    this.memory.setWatermark(await this.#options.files.maxFileId());
  }

  /** Resolves to the update's activities; rejects when the database cannot answer. */
  async track(update: StorageUpdate, receivedAt: number): Promise<ResourceEvent[]> {
    const mounts = await this.#options.mapping.mounts(update.storageId);
    const users = mounts.filter((m) => isBelowRoot(update.path, m.rootPath)).map((m) => m.userId);
    if (users.length === 0 || !(this.#options.interested?.(users) ?? true)) {
      // Nobody is told: from now on this fileid counts as existing, not as new.
      this.memory.setWatermark(update.fileId);
      return [];
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(update.storageId);
      const pending = { update, receivedAt, resolve, reject };
      if (queue !== undefined) queue.push(pending);
      else {
        this.#queues.set(update.storageId, [pending]);
        void this.#drain(update.storageId);
      }
    });
  }

  async #drain(storageId: number): Promise<void> {
    for (;;) {
      const batch = this.#queues.get(storageId) ?? [];
      this.#queues.set(storageId, []);
      if (batch.length === 0) break;
      try {
        const results = await this.#handle(batch);
        for (const [i, pending] of batch.entries()) pending.resolve(results[i] ?? []);
      } catch (err) {
        for (const pending of batch) pending.reject(err);
      }
    }
    this.#queues.delete(storageId);
  }

  async #handle(batch: Pending[]): Promise<ResourceEvent[][]> {
    const { files, mapping } = this.#options;
    if (this.memory.watermark === undefined) await this.start();
    const rows = new Map(
      (await files.filesById(batch.map((p) => p.update.fileId))).map((row) => [row.fileId, row]),
    );
    const changes = batch.map((p) =>
      storageChanges(p.update, rows.get(p.update.fileId), this.memory),
    );
    const containers = await this.#containers(changes.flat());
    const mountsOf = new Map<number, readonly MountedRoot[]>();
    for (const change of changes.flat()) {
      const id = changeStorage(change);
      if (!mountsOf.has(id)) mountsOf.set(id, await mapping.mounts(id));
    }
    return changes.map((list, i) =>
      list.flatMap((change) =>
        this.#events(
          change,
          mountsOf.get(changeStorage(change)) ?? [],
          containers,
          batch[i]?.receivedAt ?? 0,
        ),
      ),
    );
  }

  /** The folders that gained or lost an entry, for the `state` of `Add` and `Remove`. */
  async #containers(changes: StorageChange[]): Promise<Map<string, FileEntry>> {
    const wanted = new Map<number, Set<string>>();
    for (const change of changes) {
      if (change.kind === 'changed') continue;
      const id = changeStorage(change);
      const paths = wanted.get(id) ?? new Set();
      paths.add(parentPath(changePath(change)));
      wanted.set(id, paths);
    }
    const found = new Map<string, FileEntry>();
    for (const [id, paths] of wanted) {
      for (const row of await this.#options.files.filesByPath(id, [...paths])) {
        found.set(`${id}:${row.path}`, row);
      }
    }
    return found;
  }

  #events(
    change: StorageChange,
    mounts: readonly MountedRoot[],
    containers: Map<string, FileEntry>,
    receivedAt: number,
  ): ResourceEvent[] {
    const storageId = changeStorage(change);
    const path = changePath(change);
    const container = containers.get(`${storageId}:${parentPath(path)}`);
    const events: ResourceEvent[] = [];
    const seen = new Set<string>();
    for (const mount of mounts) {
      if (!isBelowRoot(path, mount.rootPath)) continue;
      for (const event of this.#userEvents(change, mount, container, receivedAt)) {
        const key = `${event.user} ${event.activity} ${event.object}`;
        if (!seen.has(key)) events.push(event);
        seen.add(key);
      }
    }
    return events;
  }

  #userEvents(
    change: StorageChange,
    mount: MountedRoot,
    container: FileEntry | undefined,
    receivedAt: number,
  ): ResourceEvent[] {
    const { urls } = this.#options;
    const user = mount.userId;
    const path = userPath(changePath(change), mount);
    const isFolder = change.kind === 'gone' ? change.isFolder === true : change.entry.isFolder;
    const object = urls.url(user, path, isFolder);
    if (object === undefined) return [];
    // What tells this change of the resource from any other: its fileid and the etag it left
    // (the folder's, for a removal). The same on every replica, so notification ids can be too.
    const changeKey =
      change.kind === 'gone'
        ? `${change.fileId}:${container?.etag ?? ''}`
        : `${change.entry.fileId}:${change.entry.etag}`;
    const base = { type: 'resource' as const, user, receivedAt, changeKey };
    const own: ResourceEvent =
      change.kind === 'gone'
        ? { ...base, activity: 'Delete', object, subtree: change.isFolder !== false }
        : { ...base, activity: ACTIVITY[change.kind], object, state: quoted(change.entry.etag) };
    // The mount's root appears in the user's view through the mount, not as a folder entry.
    const target =
      change.kind === 'changed' || changePath(change) === mount.rootPath
        ? undefined
        : urls.url(user, parentPath(path), true);
    if (target === undefined) return [own];
    const activity = change.kind === 'gone' ? 'Remove' : 'Add';
    const state = container === undefined ? undefined : quoted(container.etag);
    return [own, { ...base, activity, object, target, ...(state === undefined ? {} : { state }) }];
  }
}

const ACTIVITY: Record<'created' | 'changed', ResourceActivity> = {
  created: 'Create',
  changed: 'Update',
};

function changeStorage(change: StorageChange): number {
  return change.kind === 'gone' ? change.storageId : change.entry.storageId;
}

function changePath(change: StorageChange): string {
  return change.kind === 'gone' ? change.path : change.entry.path;
}

function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** WebDAV's `getetag` is the stored etag in double quotes. */
function quoted(etag: string): string {
  return `"${etag}"`;
}
