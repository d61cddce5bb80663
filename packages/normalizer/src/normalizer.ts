import type { FileEvent, NotifyEventOf, UserEvent } from '@gw/events';
import { isBelowRoot, type MountedRoot, userPath } from './mount-match.js';

/** The channels that carry something for a user. */
export type UserFacingChannel =
  | 'notify_storage_update'
  | 'notify_group_membership_update'
  | 'notify_user_share_created'
  | 'notify_activity'
  | 'notify_notification'
  | 'notify_custom';

export type UserFacingNotifyEvent = NotifyEventOf<UserFacingChannel>;

export const USER_FACING_CHANNELS: readonly UserFacingChannel[] = [
  'notify_storage_update',
  'notify_group_membership_update',
  'notify_user_share_created',
  'notify_activity',
  'notify_notification',
  'notify_custom',
];

export interface NormalizerOptions {
  /** Mounts per storage id; in production the cached `StorageMapping` of `@gw/nextcloud`. */
  mapping: {
    mounts(storageId: number): Promise<readonly MountedRoot[]>;
    /** Forget cached mounts: they just changed. */
    forgetAll(): void;
  };
}

/**
 * Turns a raw `notify_*` event into the per-user events of the common model. The only place that
 * knows how a storage update becomes "user U's file F at path P changed".
 */
export class Normalizer {
  readonly #mapping: NormalizerOptions['mapping'];

  constructor(options: NormalizerOptions) {
    this.#mapping = options.mapping;
  }

  async normalize(event: UserFacingNotifyEvent, receivedAt: number): Promise<UserEvent[]> {
    switch (event.channel) {
      case 'notify_storage_update':
        return this.#storageUpdate(event.payload, receivedAt);
      case 'notify_group_membership_update':
      case 'notify_user_share_created':
        // The user's mounts changed (a share, a group folder): storage updates must see the new
        // ones from now on. Nextcloud does not say which files appeared: unknown files changed.
        this.#mapping.forgetAll();
        return [{ type: 'file', user: event.payload.user, change: null, receivedAt }];
      case 'notify_activity':
        return [{ type: 'activity', user: event.payload.user, receivedAt }];
      case 'notify_notification':
        return [{ type: 'notification', user: event.payload.user, receivedAt }];
      case 'notify_custom': {
        const { user, message, body } = event.payload;
        return [{ type: 'custom', user, message, body, receivedAt }];
      }
    }
  }

  /** Rejects when the mounts cannot be loaded (database down); the caller logs and drops. */
  async #storageUpdate(
    update: NotifyEventOf<'notify_storage_update'>['payload'],
    receivedAt: number,
  ): Promise<FileEvent[]> {
    const mounts = await this.#mapping.mounts(update.storage);
    const pathsByUser = new Map<string, string[]>();
    for (const mount of mounts) {
      if (!isBelowRoot(update.path, mount.rootPath)) continue;
      const paths = pathsByUser.get(mount.userId);
      const path = userPath(update.path, mount);
      if (paths === undefined) pathsByUser.set(mount.userId, [path]);
      else if (!paths.includes(path)) paths.push(path);
    }
    const events: FileEvent[] = [];
    for (const [user, userPaths] of pathsByUser) {
      const change = {
        fileId: update.file_id,
        storage: update.storage,
        storagePath: update.path,
        userPaths,
      };
      events.push({ type: 'file', user, change, receivedAt });
    }
    return events;
  }
}
