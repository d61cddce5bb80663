import type { ResourceUrls } from '@gw/events';
import type { FileEntry, NextcloudDatabase } from '@gw/nextcloud';
import type { ResourceMemory } from './resource-memory.js';
import type { UserMounts } from './user-mounts.js';

export interface ResourceResolverOptions {
  files: Pick<NextcloudDatabase, 'filesByPath' | 'childrenOf'>;
  mounts: UserMounts;
  urls: ResourceUrls;
  /** The tracker's memory, which watched resources are loaded into. */
  memory: ResourceMemory;
  /** Children of a watched folder loaded into the memory at most. @defaultValue 1_000 */
  maxChildren?: number;
}

/**
 * Looks resources up by URL: the current `oc_filecache` row behind a topic (for the `state`
 * feature), and the rows a new subscription should be remembered by, so that the first move or
 * delete of a watched file (or of a child of a watched folder) is recognised as one.
 */
export class ResourceResolver {
  readonly #options: ResourceResolverOptions;

  constructor(options: ResourceResolverOptions) {
    this.#options = options;
  }

  /** The entry behind a resource URL now; `undefined` when nothing is there. */
  async current(url: string): Promise<FileEntry | undefined> {
    const location = this.#options.urls.parse(url);
    if (location === undefined) return undefined;
    const found = await this.#options.mounts.locate(location.uid, location.path);
    if (found === undefined) return undefined;
    const [entry] = await this.#options.files.filesByPath(found.storageId, [found.path]);
    return entry;
  }

  /** Loads the entries behind these URLs, and the children of the folders, into the memory. */
  async watch(urls: readonly string[]): Promise<void> {
    const { files, memory, maxChildren = 1_000 } = this.#options;
    const byStorage = new Map<number, string[]>();
    for (const url of urls) {
      const location = this.#options.urls.parse(url);
      if (location === undefined) continue;
      const found = await this.#options.mounts.locate(location.uid, location.path);
      if (found === undefined) continue;
      byStorage.set(found.storageId, [...(byStorage.get(found.storageId) ?? []), found.path]);
    }
    for (const [storageId, paths] of byStorage) {
      for (const entry of await files.filesByPath(storageId, paths)) {
        memory.learn(entry);
        if (!entry.isFolder) continue;
        for (const child of await files.childrenOf(entry.fileId, maxChildren)) memory.learn(child);
      }
    }
  }
}
