import { createHash } from 'node:crypto';
import { InvalidInputError } from './nextcloud-errors.js';

const MAX_PATH_LENGTH = 4000;
const MAX_NAME_LENGTH = 250;

/**
 * A storage-internal path as `Cache::normalize` stores it (Unicode NFC, no leading or trailing
 * slash; the storage root is `''`), refusing what Nextcloud's path validation refuses.
 */
export function normalizePath(path: string): string {
  const normalized = path.normalize('NFC').replace(/^\/+|\/+$/g, '');
  if (normalized === '') return normalized;
  if (normalized.length > MAX_PATH_LENGTH) throw new InvalidInputError('path is too long');
  for (const segment of normalized.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidInputError(`invalid path ${JSON.stringify(path)}`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
    if (/[\u0000-\u001f\\]/.test(segment) || segment.length > MAX_NAME_LENGTH) {
      throw new InvalidInputError(`invalid file name ${JSON.stringify(segment)}`);
    }
  }
  return normalized;
}

/** The folder holding `path` (`''` for a top-level entry). Not defined for the root itself. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Every folder above `path`, nearest first, ending with the storage root `''`. */
export function ancestorPaths(path: string): string[] {
  const ancestors: string[] = [];
  for (let current = path; current !== ''; ) {
    current = parentPath(current);
    ancestors.push(current);
  }
  return ancestors;
}

/** `oc_filecache.path_hash`: md5 of the normalized path's UTF-8 bytes. */
export function pathHash(path: string): string {
  return createHash('md5').update(path, 'utf8').digest('hex');
}
