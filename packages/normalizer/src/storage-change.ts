import type { FileEntry } from '@gw/nextcloud';
import type { KnownEntry, ResourceMemory } from './resource-memory.js';

/** A storage update as published: something at `path` of `storageId`, fileid `fileId`. */
export interface StorageUpdate {
  storageId: number;
  path: string;
  fileId: number;
}

/** What one storage update means for the entries of a storage, before users and URLs. */
export type StorageChange =
  | { kind: 'gone'; storageId: number; path: string; fileId: number; isFolder: boolean | undefined }
  | { kind: 'created'; entry: FileEntry }
  | { kind: 'changed'; entry: FileEntry };

/**
 * The rules that turn a storage update into changes (docs/solid-notifications.md, "How changes
 * are detected"). `row` is the fileid's `oc_filecache` row now, `undefined` if it is gone; the
 * memory holds what was announced before and is updated to what is announced now.
 */
export function storageChanges(
  update: StorageUpdate,
  row: FileEntry | undefined,
  memory: ResourceMemory,
): StorageChange[] {
  const known = memory.get(update.fileId);
  if (row === undefined) return removed(update, known, memory);
  if (row.storageId !== update.storageId || row.path !== update.path) {
    return leftBehind(update, row, known, memory);
  }
  const moved =
    known !== undefined && (known.storageId !== row.storageId || known.path !== row.path);
  if (moved) return movedHere(row, known, memory);
  // A warm entry's place was known, not what was announced: as good as a first sighting.
  if (known === undefined || known.warm) return firstSight(row, memory);
  memory.remember(row);
  // A folder's etag changes with everything below it; that is not an update of the folder.
  return !row.isFolder && row.etag !== known.etag ? [{ kind: 'changed', entry: row }] : [];
}

/** The row is gone: a delete, unless the file came and went unseen. */
function removed(
  update: StorageUpdate,
  known: KnownEntry | undefined,
  memory: ResourceMemory,
): StorageChange[] {
  memory.forget(update.fileId);
  if (known === undefined && memory.isNew(update.fileId)) return [];
  const id = update.fileId;
  if (known === undefined) return [gone(update.storageId, update.path, id, undefined)];
  if (known.isFolder) memory.forgetSubtree(known.storageId, known.path);
  const here = known.storageId === update.storageId && known.path === update.path;
  // Known elsewhere (a move was missed): both places are empty now.
  return here
    ? [gone(update.storageId, update.path, id, known.isFolder)]
    : [
        gone(known.storageId, known.path, id, known.isFolder),
        gone(update.storageId, update.path, id, undefined),
      ];
}

/** The update names a place the fileid has left (a move's source, or a stale event). */
function leftBehind(
  update: StorageUpdate,
  row: FileEntry,
  known: KnownEntry | undefined,
  memory: ResourceMemory,
): StorageChange[] {
  if (known !== undefined && known.storageId === row.storageId && known.path === row.path) {
    return []; // The move was announced when the new location's update came first.
  }
  const wasNew = known === undefined && memory.isNew(update.fileId);
  memory.movedAway(update.fileId);
  if (known !== undefined)
    return [gone(known.storageId, known.path, update.fileId, known.isFolder)];
  return wasNew ? [] : [gone(update.storageId, update.path, update.fileId, undefined)];
}

function firstSight(row: FileEntry, memory: ResourceMemory): StorageChange[] {
  const isNew = memory.isNew(row.fileId);
  memory.remember(row);
  if (isNew) return [{ kind: 'created', entry: row }];
  // Seen for the first time but older than the gateway's watch: it changed, unless it is a
  // folder, whose updates are only its etag following its contents.
  return row.isFolder ? [] : [{ kind: 'changed', entry: row }];
}

function movedHere(row: FileEntry, known: KnownEntry, memory: ResourceMemory): StorageChange[] {
  if (row.isFolder) memory.moveSubtree(known, row);
  memory.remember(row);
  return [
    gone(known.storageId, known.path, row.fileId, known.isFolder),
    { kind: 'created', entry: row },
  ];
}

function gone(
  storageId: number,
  path: string,
  fileId: number,
  isFolder: boolean | undefined,
): StorageChange {
  return { kind: 'gone', storageId, path, fileId, isFolder };
}
