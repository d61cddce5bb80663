import { createHash } from 'node:crypto';
import { FOLDER_MIMETYPE } from './mimetypes.js';
import type { SqlRunner } from './sql-runner.js';

/** An `oc_filecache` row for the database-level tests; the parent folder must exist already. */
export interface TestFile {
  /** Path inside the storage, e.g. `files/docs/a.txt`. */
  path: string;
  etag: string;
  /** @defaultValue 1_700_000_000 */
  mtime?: number;
  /** @defaultValue false */
  folder?: boolean;
}

/** Inserts one filecache row (and its mimetype on first use); resolves to its fileid. */
export async function insertFile(
  runner: SqlRunner,
  prefix: string,
  storageId: number,
  file: TestFile,
): Promise<number> {
  const mimetype = await mimetypeId(runner, prefix, file.folder ? FOLDER_MIMETYPE : 'text/plain');
  const slash = file.path.lastIndexOf('/');
  const parentPath = slash === -1 ? '' : file.path.slice(0, slash);
  const [parent] =
    file.path === ''
      ? []
      : await runner.select(
          `SELECT fileid FROM ${prefix}filecache WHERE storage = ? AND path_hash = ?`,
          [storageId, md5(parentPath)],
        );
  return runner.insert(
    `INSERT INTO ${prefix}filecache (storage, path, path_hash, parent, name, mimetype, mtime, etag)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      storageId,
      file.path,
      md5(file.path),
      parent === undefined ? -1 : Number(parent.fileid),
      file.path.slice(slash + 1),
      mimetype,
      file.mtime ?? 1_700_000_000,
      file.etag,
    ],
    'fileid',
  );
}

async function mimetypeId(runner: SqlRunner, prefix: string, mimetype: string): Promise<number> {
  const [existing] = await runner.select(`SELECT id FROM ${prefix}mimetypes WHERE mimetype = ?`, [
    mimetype,
  ]);
  if (existing !== undefined) return Number(existing.id);
  return runner.insert(`INSERT INTO ${prefix}mimetypes (mimetype) VALUES (?)`, [mimetype], 'id');
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
