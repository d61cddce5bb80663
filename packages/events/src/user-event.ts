/**
 * The common event model: what happened, for which Nextcloud user. Protocol-neutral, so the
 * legacy notify_push delivery and the Solid delivery consume the same events.
 */
export type UserEvent = FileEvent | ActivityEvent | NotificationEvent | CustomEvent;

interface UserEventBase {
  /** The Nextcloud user id (exact, case-sensitive). */
  user: string;
  /** When the gateway received the underlying Redis message, epoch milliseconds. */
  receivedAt: number;
}

/** Something changed in the user's files. */
export interface FileEvent extends UserEventBase {
  type: 'file';
  /** The changed file, or `null` when Nextcloud did not say which (group membership, new share). */
  change: FileChange | null;
}

export interface FileChange {
  /** `oc_filecache.fileid` of the changed entry. */
  fileId: number;
  /** `oc_storages.numeric_id` of the storage holding it. */
  storage: number;
  /** Path inside that storage, as published (e.g. `files/docs/a.txt`). */
  storagePath: string;
  /**
   * Where the user sees the entry, relative to their home (e.g. `files/docs/a.txt` for the owner,
   * `files/Shared/docs/a.txt` for a share recipient). One entry per matching mount.
   */
  userPaths: string[];
}

export interface ActivityEvent extends UserEventBase {
  type: 'activity';
}

export interface NotificationEvent extends UserEventBase {
  type: 'notification';
}

/** An app-defined message (`notify_custom`), delivered as `<message>` or `<message> <json body>`. */
export interface CustomEvent extends UserEventBase {
  type: 'custom';
  message: string;
  /** Any JSON value; `null` when the publisher sent none. */
  body: unknown;
}
