/** One mount of a storage, as the normalizer needs it (a row of oc_mounts ⋈ oc_filecache). */
export interface MountedRoot {
  userId: string;
  /** Path of the mount root inside the storage ('' for a home mount). */
  rootPath: string;
  /** Where the root appears for the user, e.g. `/alice/` or `/bob/files/Shared/docs/`. */
  mountPoint: string;
}

/**
 * Whether `path` (inside the storage) lies at or below the mount root. Unlike upstream's raw
 * `starts_with` (reference/notify_push.md §4.2), this respects path segments, so a root
 * `files/abc` does not match `files/abcdef`.
 */
export function isBelowRoot(path: string, rootPath: string): boolean {
  return (
    rootPath === '' ||
    path === rootPath ||
    (path.startsWith(rootPath) && path.charCodeAt(rootPath.length) === 0x2f)
  );
}

/**
 * The user's view of `path`: relative to their home, e.g. `files/Shared/docs/a.txt`. The mount
 * point starts with `/{uid}/`, which is dropped.
 */
export function userPath(path: string, mount: MountedRoot): string {
  const mountPath = mount.mountPoint.replace(/^\/[^/]*\/?/, '');
  const below = path.slice(mount.rootPath.length);
  return joinPath(mountPath, below);
}

function joinPath(...parts: string[]): string {
  return parts
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part !== '')
    .join('/');
}
