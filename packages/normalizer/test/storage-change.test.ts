// One test per row of the rules table in docs/solid-notifications.md ("How changes are detected").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileEntry } from '@gw/nextcloud';
import { ResourceMemory, type StorageChange } from '../src/index.js';
import { storageChanges } from '../src/storage-change.js';

const WATERMARK = 100;

function entry(fileId: number, path: string, overrides: Partial<FileEntry> = {}): FileEntry {
  return {
    fileId,
    storageId: 1,
    path,
    parentId: 1,
    etag: 'e1',
    mtime: 0,
    isFolder: false,
    ...overrides,
  };
}

function memory(...known: FileEntry[]): ResourceMemory {
  const memory = new ResourceMemory();
  memory.setWatermark(WATERMARK);
  for (const file of known) memory.remember(file);
  return memory;
}

const update = (fileId: number, path: string, storageId = 1) => ({ storageId, path, fileId });
const kinds = (changes: StorageChange[]) =>
  changes.map((change) =>
    change.kind === 'gone'
      ? `gone ${change.path} ${change.isFolder}`
      : `${change.kind} ${change.entry.path}`,
  );

describe('storageChanges', () => {
  it('announces a row that is gone, seen at this path, as gone with its kind', () => {
    const m = memory(entry(5, 'files/a.txt'));
    assert.deepEqual(kinds(storageChanges(update(5, 'files/a.txt'), undefined, m)), [
      'gone files/a.txt false',
    ]);
    assert.equal(m.get(5), undefined, 'forgotten');
  });

  it('announces a row that is gone and was never seen but is older than the gateway as gone', () => {
    assert.deepEqual(kinds(storageChanges(update(5, 'files/a.txt'), undefined, memory())), [
      'gone files/a.txt undefined',
    ]);
  });

  it('says nothing of a row created and deleted before it was looked at', () => {
    assert.deepEqual(storageChanges(update(150, 'files/a.txt'), undefined, memory()), []);
  });

  it('announces a first sighting newer than the gateway as created', () => {
    assert.deepEqual(
      kinds(storageChanges(update(150, 'files/a.txt'), entry(150, 'files/a.txt'), memory())),
      ['created files/a.txt'],
    );
  });

  it('announces a first sighting of an older file as changed', () => {
    assert.deepEqual(
      kinds(storageChanges(update(5, 'files/a.txt'), entry(5, 'files/a.txt'), memory())),
      ['changed files/a.txt'],
    );
  });

  it('announces a seen file with another etag as changed, and with the same etag not at all', () => {
    const m = memory(entry(5, 'files/a.txt'));
    assert.deepEqual(
      kinds(storageChanges(update(5, 'files/a.txt'), entry(5, 'files/a.txt', { etag: 'e2' }), m)),
      ['changed files/a.txt'],
    );
    assert.deepEqual(
      storageChanges(update(5, 'files/a.txt'), entry(5, 'files/a.txt', { etag: 'e2' }), m),
      [],
    );
  });

  it('never announces a folder whose etag followed its contents', () => {
    const folder = entry(5, 'files/docs', { isFolder: true });
    const m = memory(folder);
    assert.deepEqual(storageChanges(update(5, 'files/docs'), { ...folder, etag: 'e2' }, m), []);
    assert.deepEqual(
      storageChanges(update(6, 'files/box'), entry(6, 'files/box', { isFolder: true }), m),
      [],
    );
  });

  it('announces a seen entry at a new path as a move: gone at the old path, created at the new', () => {
    const m = memory(entry(5, 'files/a.txt'));
    assert.deepEqual(kinds(storageChanges(update(5, 'files/b.txt'), entry(5, 'files/b.txt'), m)), [
      'gone files/a.txt false',
      'created files/b.txt',
    ]);
  });

  it('moves what it knows below a moved folder along with it', () => {
    const m = memory(entry(5, 'files/docs', { isFolder: true }), entry(6, 'files/docs/a.txt'));
    storageChanges(update(5, 'files/archive'), entry(5, 'files/archive', { isFolder: true }), m);
    assert.equal(m.get(6)?.path, 'files/archive/a.txt');
  });

  it('says nothing of an update naming the old place when the move was announced already', () => {
    const m = memory(entry(5, 'files/b.txt'));
    assert.deepEqual(storageChanges(update(5, 'files/a.txt'), entry(5, 'files/b.txt'), m), []);
  });

  it('announces an update naming a place the entry left, unannounced, as gone there; the new place then reads as created', () => {
    const m = memory();
    assert.deepEqual(
      kinds(storageChanges(update(5, 'files/a.txt'), entry(5, 'files/b.txt', { storageId: 2 }), m)),
      ['gone files/a.txt undefined'],
    );
    assert.deepEqual(
      kinds(
        storageChanges(update(5, 'files/b.txt', 2), entry(5, 'files/b.txt', { storageId: 2 }), m),
      ),
      ['created files/b.txt'],
    );
  });

  it('counts a forgotten entry as existing, never as new again', () => {
    const m = new ResourceMemory({ maxEntries: 1 });
    m.setWatermark(WATERMARK);
    m.remember(entry(150, 'files/a.txt'));
    m.remember(entry(151, 'files/b.txt'));
    assert.equal(m.isNew(150), false);
    assert.deepEqual(
      kinds(storageChanges(update(150, 'files/a.txt'), entry(150, 'files/a.txt'), m)),
      ['changed files/a.txt'],
    );
  });
});

describe('storageChanges after warming', () => {
  it('announces the next update of an entry loaded for a new channel, even with the etag it was loaded with', () => {
    const m = memory();
    m.learn(entry(5, 'files/a.txt', { etag: 'after-the-write' }));
    assert.deepEqual(
      kinds(
        storageChanges(
          update(5, 'files/a.txt'),
          entry(5, 'files/a.txt', { etag: 'after-the-write' }),
          m,
        ),
      ),
      ['changed files/a.txt'],
    );
    assert.deepEqual(
      storageChanges(
        update(5, 'files/a.txt'),
        entry(5, 'files/a.txt', { etag: 'after-the-write' }),
        m,
      ),
      [],
      'announced once: a repeat of the same update is a duplicate again',
    );
  });

  it('still recognises a warmed entry that moved', () => {
    const m = memory();
    m.learn(entry(5, 'files/a.txt'));
    assert.deepEqual(kinds(storageChanges(update(5, 'files/b.txt'), entry(5, 'files/b.txt'), m)), [
      'gone files/a.txt false',
      'created files/b.txt',
    ]);
  });
});
