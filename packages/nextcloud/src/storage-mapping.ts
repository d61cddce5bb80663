import type { Logger } from 'pino';
import type { MountRoot, NextcloudDatabase } from './database.js';

export interface StorageMappingOptions {
  database: Pick<NextcloudDatabase, 'mountsForStorage'>;
  logger: Logger;
  /** Shortest time a loaded entry stays fresh. @defaultValue 240_000 */
  minTtlMs?: number;
  /** Longest time a loaded entry stays fresh. @defaultValue 300_000 */
  maxTtlMs?: number;
  /** Clock in epoch milliseconds. @defaultValue Date.now */
  now?: () => number;
}

export interface StorageMappingStats {
  /** Database queries started. */
  queries: number;
  /** Calls answered with fresh rows without starting a query (cached, or joining a load). */
  hits: number;
  /** Calls answered with expired rows while one refresh runs. */
  staleHits: number;
  /** Queries that failed. */
  errors: number;
}

interface Entry {
  rows: readonly MountRoot[];
  validUntil: number;
  /** Set after a failed refresh so an outage is logged once per entry, not once per call. */
  refreshFailed: boolean;
}

/**
 * The mounts of each storage, cached in front of the database (reference/notify_push.md §4.3).
 *
 * Single flight per storage: every caller of a cold storage awaits the same query, and an expired
 * entry is refreshed once in the background while callers keep getting the stale rows. Upstream
 * let concurrent callers of a cold storage all query, which exhausted its pool (#699).
 */
export class StorageMapping {
  readonly stats: StorageMappingStats = { queries: 0, hits: 0, staleHits: 0, errors: 0 };
  readonly #database: StorageMappingOptions['database'];
  readonly #logger: Logger;
  readonly #minTtlMs: number;
  readonly #ttlSpreadMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<number, Entry>();
  readonly #loading = new Map<number, Promise<readonly MountRoot[]>>();
  /** Bumped by `forgetAll`, so a load that started before it does not cache its rows. */
  #generation = 0;

  constructor(options: StorageMappingOptions) {
    this.#database = options.database;
    this.#logger = options.logger;
    this.#minTtlMs = options.minTtlMs ?? 240_000;
    const maxTtlMs = options.maxTtlMs ?? 300_000;
    if (!(this.#minTtlMs >= 0 && maxTtlMs >= this.#minTtlMs)) {
      throw new RangeError(`invalid TTL range [${this.#minTtlMs}, ${maxTtlMs}] ms`);
    }
    this.#ttlSpreadMs = maxTtlMs - this.#minTtlMs;
    this.#now = options.now ?? Date.now;
  }

  /** Rejects only when the storage has no entry yet and its load fails. */
  mounts(storageId: number): Promise<readonly MountRoot[]> {
    const entry = this.#entries.get(storageId);
    const loading = this.#loading.get(storageId);
    if (entry === undefined) {
      if (loading === undefined) return this.#load(storageId);
      this.stats.hits++;
      return loading;
    }
    if (this.#now() < entry.validUntil) {
      this.stats.hits++;
    } else {
      this.stats.staleHits++;
      if (loading === undefined) this.#refresh(storageId, entry);
    }
    return Promise.resolve(entry.rows);
  }

  /**
   * Drops every cached entry: mounts changed (a new share, a group membership) and the next
   * update of any storage must see them, not wait up to five minutes as upstream does.
   */
  forgetAll(): void {
    this.#entries.clear();
    this.#loading.clear();
    this.#generation++;
  }

  #load(storageId: number): Promise<readonly MountRoot[]> {
    this.stats.queries++;
    const load = this.#query(storageId).finally(() => {
      if (this.#loading.get(storageId) === load) this.#loading.delete(storageId);
    });
    this.#loading.set(storageId, load);
    return load;
  }

  #refresh(storageId: number, stale: Entry): void {
    this.#load(storageId).then(
      () => {
        if (stale.refreshFailed)
          this.#logger.info({ storageId }, 'storage mapping refreshed again');
      },
      (err: unknown) => {
        // Keep serving the stale rows; the next call after this one retries.
        if (stale.refreshFailed) return;
        stale.refreshFailed = true;
        this.#logger.warn(
          { storageId, reason: err instanceof Error ? err.message : String(err) },
          'failed to refresh the storage mapping, serving cached mounts',
        );
      },
    );
  }

  async #query(storageId: number): Promise<readonly MountRoot[]> {
    const generation = this.#generation;
    try {
      const rows = Object.freeze(await this.#database.mountsForStorage(storageId));
      const ttl = this.#minTtlMs + Math.random() * this.#ttlSpreadMs;
      if (generation === this.#generation) {
        this.#entries.set(storageId, { rows, validUntil: this.#now() + ttl, refreshFailed: false });
      }
      return rows;
    } catch (err) {
      this.stats.errors++;
      throw err;
    }
  }
}
