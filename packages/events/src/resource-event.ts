/**
 * What happened to a resource, in Activity Streams terms (reference/solid.md §1.6, §3.4):
 * `Create`, `Update` and `Delete` on the resource itself, `Add` and `Remove` on the container
 * that gained or lost it.
 */
export type ResourceActivity = 'Create' | 'Update' | 'Delete' | 'Add' | 'Remove';

/**
 * One change of one resource as one user sees it, at its WebDAV URL. A share recipient gets
 * the change at the URL under their own `files/{uid}/`, the owner at theirs.
 */
export interface ResourceEvent {
  type: 'resource';
  /** The Nextcloud user whose view the URLs are in (exact, case-sensitive). */
  user: string;
  /** When the gateway received the storage update behind it, epoch milliseconds. */
  receivedAt: number;
  /**
   * Identifies the change among all changes of this resource, and is the same on every replica
   * that sees the same update: notification ids (and webhook job ids) are derived from it.
   */
  changeKey: string;
  activity: ResourceActivity;
  /** Canonical URL of the resource the activity is about (folders end in `/`). */
  object: string;
  /** The container of an `Add` or `Remove`. */
  target?: string;
  /**
   * The ETag of the object, or of the target for `Add` and `Remove`, as WebDAV shows it (in
   * double quotes). Absent on `Delete`.
   */
  state?: string;
  /**
   * `Delete` only: the object was, or may have been, a folder, so every resource below it is
   * gone too. Its URL is then written without the final `/` when the gateway cannot tell.
   */
  subtree?: boolean;
}

/** The URL an event is delivered on: the object, or the container for `Add` and `Remove`. */
export function eventTopic(event: ResourceEvent): string {
  return event.target ?? event.object;
}
