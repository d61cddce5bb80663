import type { FileEntry } from '@gw/nextcloud';

/** What the gateway last announced about a fileid: where it was and its etag. */
export interface KnownEntry {
  storageId: number;
  path: string;
  etag: string;
  isFolder: boolean;
  /**
   * Loaded for a new channel rather than announced: its place is known, its etag is not to be
   * trusted. The row may have been read just after a change whose update is still on its way,
   * which must not then read as "nothing changed".
   */
  warm?: true;
}

export interface ResourceMemoryOptions {
  /** Entries kept at most; the least recently used goes first. @defaultValue 200_000 */
  maxEntries?: number;
}

/**
 * The gateway's memory of the files it has seen, which is what tells a storage update apart:
 * `oc_filecache` only shows the present, so "created", "changed" and "moved" are differences
 * from what was seen before. Bounded: see {@link ResourceMemory.isNew} for what eviction costs.
 */
export class ResourceMemory {
  readonly #entries = new Map<number, KnownEntry>();
  /** Fileids that moved to a location not announced yet: their next sighting is a Create. */
  readonly #pendingCreate = new Set<number>();
  readonly #maxEntries: number;
  /** Fileids at or below it existed before the gateway was watching; undefined until loaded. */
  #watermark: number | undefined;

  constructor(options: ResourceMemoryOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 200_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  get watermark(): number | undefined {
    return this.#watermark;
  }

  /** Fileids are allocated in increasing order: above `max`, an entry is newer than now. */
  setWatermark(max: number): void {
    this.#watermark = Math.max(this.#watermark ?? 0, max);
  }

  /**
   * Whether a fileid the memory does not hold appeared while the gateway was watching: above
   * the watermark, or moved somewhere unannounced. An evicted fileid raises the watermark, so
   * forgetting a file makes it "existing", never "new" again.
   */
  isNew(fileId: number): boolean {
    return this.#pendingCreate.has(fileId) || fileId > (this.#watermark ?? Number.MAX_SAFE_INTEGER);
  }

  get(fileId: number): KnownEntry | undefined {
    const entry = this.#entries.get(fileId);
    if (entry !== undefined) {
      this.#entries.delete(fileId);
      this.#entries.set(fileId, entry);
    }
    return entry;
  }

  remember(entry: FileEntry): void {
    const { fileId, storageId, path, etag, isFolder } = entry;
    this.#pendingCreate.delete(fileId);
    this.#entries.delete(fileId);
    this.#entries.set(fileId, { storageId, path, etag, isFolder });
    if (this.#entries.size > this.#maxEntries) this.#evictOldest();
  }

  /**
   * Remembers where an entry is, for a new channel: only what is not held yet, and marked warm,
   * so that its next update is announced whatever its etag (see {@link KnownEntry.warm}).
   */
  learn(entry: FileEntry): void {
    if (this.#entries.has(entry.fileId)) return;
    this.remember(entry);
    const known = this.#entries.get(entry.fileId);
    if (known !== undefined) known.warm = true;
  }

  forget(fileId: number): void {
    this.#entries.delete(fileId);
  }

  /** The fileid now lives somewhere not announced yet. */
  movedAway(fileId: number): void {
    this.#entries.delete(fileId);
    this.#pendingCreate.add(fileId);
    if (this.#pendingCreate.size > this.#maxEntries) {
      const oldest = this.#pendingCreate.values().next().value as number;
      this.#pendingCreate.delete(oldest);
    }
  }

  /** A folder moved: what is known below it moved with it (Nextcloud sends no event for them). */
  moveSubtree(from: { storageId: number; path: string }, to: { storageId: number; path: string }) {
    const prefix = `${from.path}/`;
    for (const entry of this.#entries.values()) {
      if (entry.storageId === from.storageId && entry.path.startsWith(prefix)) {
        entry.storageId = to.storageId;
        entry.path = `${to.path}/${entry.path.slice(prefix.length)}`;
      }
    }
  }

  /** A folder is gone: so is everything below it. */
  forgetSubtree(storageId: number, path: string): void {
    const prefix = `${path}/`;
    for (const [fileId, entry] of this.#entries) {
      if (entry.storageId === storageId && entry.path.startsWith(prefix)) {
        this.#entries.delete(fileId);
      }
    }
  }

  #evictOldest(): void {
    const [fileId] = this.#entries.keys();
    if (fileId === undefined) return;
    this.#entries.delete(fileId);
    this.setWatermark(fileId);
  }
}
