import type pg from 'pg';
import { InvalidInputError } from './nextcloud-errors.js';
import type { RedisPublisher } from './redis-publisher.js';
import { inTransaction } from './transaction.js';

export interface NextcloudGroupsOptions {
  /** Nextcloud's database. */
  pool: pg.Pool;
  /** The prefixed `oc_groups` table. */
  groupsTable: string;
  /** The prefixed `oc_group_user` table. */
  membersTable: string;
  /** Where events are PUBLISHed (and self-test keys kept). */
  publisher: RedisPublisher;
}

/**
 * Group membership (`oc_groups`, `oc_group_user`). Each change publishes what Nextcloud
 * publishes for `UserAddedEvent` / `UserRemovedEvent`: `notify_group_membership_update`, then the
 * activity app's `notify_activity` for the user (reference/notify_push.md §3.2).
 */
export class NextcloudGroups {
  readonly #options: NextcloudGroupsOptions;

  constructor(options: NextcloudGroupsOptions) {
    this.#options = options;
  }

  /** Adds `uid` to `gid` (creating the group); publishes nothing when it already was a member. */
  async addToGroup(uid: string, gid: string): Promise<void> {
    const { pool, groupsTable, membersTable } = this.#options;
    validateGid(gid);
    const added = await inTransaction(pool, async (db) => {
      await db.query(
        `INSERT INTO ${groupsTable} (gid, displayname) VALUES ($1, $1) ON CONFLICT (gid) DO NOTHING`,
        [gid],
      );
      const inserted = await db.query(
        `INSERT INTO ${membersTable} (gid, uid) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [gid, uid],
      );
      return inserted.rowCount === 1;
    });
    if (added) await this.#announce(uid, gid);
  }

  /** Removes `uid` from `gid`; publishes nothing when it was not a member. */
  async removeFromGroup(uid: string, gid: string): Promise<void> {
    const { pool, membersTable } = this.#options;
    validateGid(gid);
    const removed = await pool.query(`DELETE FROM ${membersTable} WHERE gid = $1 AND uid = $2`, [
      gid,
      uid,
    ]);
    if (removed.rowCount === 1) await this.#announce(uid, gid);
  }

  async #announce(uid: string, gid: string) {
    const { publisher } = this.#options;
    await publisher.publish('notify_group_membership_update', { user: uid, group: gid });
    await publisher.publish('notify_activity', { user: uid });
  }
}

function validateGid(gid: string) {
  if (gid.length === 0 || gid.length > 64) {
    throw new InvalidInputError(`invalid group id ${JSON.stringify(gid)}`);
  }
}
