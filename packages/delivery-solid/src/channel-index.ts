import { resourceKey } from '@gw/events';
import type { StoredChannel } from './stored-channel.js';

/**
 * A replica's in-memory view of every live channel, for the hot path: which channels listen to
 * a resource, to anything below a folder, to any resource of a user. Topics are grouped by user
 * (the uid is part of every topic URL), so a folder's subtree is searched among that user's
 * topics only.
 */
export class ChannelIndex {
  readonly #byId = new Map<string, StoredChannel>();
  /** uid → resource key → channels (an array: most topics have one or two, and a Set costs more). */
  readonly #byUser = new Map<string, Map<string, StoredChannel[]>>();
  readonly #byToken = new Map<string, StoredChannel>();
  readonly #perOwner = new Map<string, number>();

  get size(): number {
    return this.#byId.size;
  }

  get(id: string): StoredChannel | undefined {
    return this.#byId.get(id);
  }

  byReceiveToken(hash: string): StoredChannel | undefined {
    return this.#byToken.get(hash);
  }

  /** How many live channels an owner has (for the quota). */
  countOf(owner: string): number {
    return this.#perOwner.get(owner) ?? 0;
  }

  /** Whether any channel listens to a resource of one of these users. */
  hasAnyUser(users: readonly string[]): boolean {
    return users.some((user) => this.#byUser.has(user));
  }

  /** The channels on exactly this resource, written as file or folder. */
  at(user: string, url: string): Iterable<StoredChannel> {
    return this.#byUser.get(user)?.get(resourceKey(url)) ?? [];
  }

  /** Whether any channel is on exactly this resource. */
  isWatched(user: string, url: string): boolean {
    return this.#byUser.get(user)?.has(resourceKey(url)) ?? false;
  }

  /** The channels on resources strictly below the folder `url`. */
  *below(user: string, url: string): Iterable<StoredChannel> {
    const prefix = `${resourceKey(url)}/`;
    for (const [key, channels] of this.#byUser.get(user) ?? []) {
      if (key.startsWith(prefix)) yield* channels;
    }
  }

  /** Adds or replaces a channel. */
  put(channel: StoredChannel): void {
    this.remove(channel.id);
    this.#byId.set(channel.id, channel);
    // A topic is always in its owner's namespace, so the owner is the topic's user.
    const user = channel.owner;
    const topics = this.#byUser.get(user) ?? new Map<string, StoredChannel[]>();
    this.#byUser.set(user, topics);
    const key = resourceKey(channel.topic);
    const channels = topics.get(key);
    if (channels === undefined) topics.set(key, [channel]);
    else channels.push(channel);
    this.#perOwner.set(channel.owner, this.countOf(channel.owner) + 1);
    if (channel.receiveTokenHash !== undefined)
      this.#byToken.set(channel.receiveTokenHash, channel);
  }

  remove(id: string): StoredChannel | undefined {
    const channel = this.#byId.get(id);
    if (channel === undefined) return undefined;
    this.#byId.delete(id);
    if (channel.receiveTokenHash !== undefined) this.#byToken.delete(channel.receiveTokenHash);
    const user = channel.owner;
    const topics = this.#byUser.get(user);
    const key = resourceKey(channel.topic);
    const channels = topics?.get(key);
    const at = channels?.indexOf(channel) ?? -1;
    if (at !== -1) channels?.splice(at, 1);
    if (channels?.length === 0) topics?.delete(key);
    if (topics?.size === 0) this.#byUser.delete(user);
    const count = this.countOf(channel.owner) - 1;
    if (count === 0) this.#perOwner.delete(channel.owner);
    else this.#perOwner.set(channel.owner, count);
    return channel;
  }

  /** The channels that ended by `now`. */
  *ended(now: number): Iterable<StoredChannel> {
    for (const channel of this.#byId.values()) if (channel.endAt <= now) yield channel;
  }

  all(): Iterable<StoredChannel> {
    return this.#byId.values();
  }
}
