import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  InvalidInputError,
  NodeExistsError,
  NodeNotFoundError,
  UnknownUserError,
} from '../src/index.js';
import {
  filecacheRow,
  type Harness,
  homeStorage,
  startHarness,
  storageUpdates,
} from './harness.js';

describe('file operations of the simulated Nextcloud', () => {
  let harness: Harness;
  let storage: number;

  before(async () => {
    harness = await startHarness({ users: [{ uid: 'alice', password: 'pw' }] });
    storage = await homeStorage(harness, 'alice');
    await harness.drain();
  });
  after(() => harness.close());

  const row = async (path: string) => {
    const found = await filecacheRow(harness, 'alice', path);
    assert.ok(found, `no filecache row at ${JSON.stringify(path)}`);
    return found;
  };

  it('mkdir inserts a folder row under its parent and publishes it and files', async () => {
    const files = await row('files');
    const { fileId } = await harness.nextcloud.mkdir('alice', '/files/docs/');
    const docs = await row('files/docs');
    assert.equal(docs.fileid, fileId);
    assert.equal(docs.parent, files.fileid);
    assert.equal(docs.name, 'docs');
    assert.equal(docs.mimetype, 'httpd/unix-directory');
    assert.equal(docs.permissions, 31);
    assert.match(docs.etag, /^[0-9a-f]{13}$/);
    assert.deepEqual(storageUpdates(await harness.drain(), storage), [
      ['files/docs', fileId],
      ['files', files.fileid],
    ]);
  });

  it('writeFile inserts a file row with md5 path_hash, mimetype, size and permissions', async () => {
    const { fileId, etag } = await harness.nextcloud.writeFile(
      'alice',
      'files/docs/a.txt',
      'héllo',
    );
    const file = await row('files/docs/a.txt');
    assert.equal(file.fileid, fileId);
    assert.equal(file.etag, etag);
    assert.match(etag, /^[0-9a-f]{32}$/);
    assert.equal(file.parent, (await row('files/docs')).fileid);
    assert.equal(file.mimetype, 'text/plain');
    assert.equal(file.size, 6, 'size counts UTF-8 bytes');
    assert.equal(file.permissions, 27);
    assert.ok(Math.abs(file.mtime - Date.now() / 1000) < 5);
    await harness.drain();
  });

  it('propagates one new etag, the mtime and the size change to every ancestor', async () => {
    const before = await Promise.all(['', 'files', 'files/docs'].map(row));
    await harness.nextcloud.writeFile('alice', 'files/docs/a.txt', 'héllo, world');
    const after = await Promise.all(['', 'files', 'files/docs'].map(row));
    const [newEtag] = after.map((folder) => folder.etag);
    for (const [i, folder] of after.entries()) {
      assert.equal(folder.etag, newEtag, `${folder.path} shares the propagated etag`);
      assert.notEqual(folder.etag, before[i]?.etag);
      assert.equal(folder.size, (before[i]?.size ?? 0) + 7);
      assert.ok(folder.mtime >= (before[i]?.mtime ?? 0));
    }
    await harness.drain();
  });

  it('writeFile on an existing file keeps its fileid, changes its etag and publishes file and folders', async () => {
    const old = await row('files/docs/a.txt');
    const { fileId, etag } = await harness.nextcloud.writeFile('alice', 'files/docs/a.txt');
    assert.equal(fileId, old.fileid);
    assert.notEqual(etag, old.etag);
    assert.equal((await row('files/docs/a.txt')).size, old.size, 'a touch keeps the size');
    assert.deepEqual(storageUpdates(await harness.drain(), storage), [
      ['files/docs/a.txt', fileId],
      ['files/docs', (await row('files/docs')).fileid],
      ['files', (await row('files')).fileid],
    ]);
  });

  it('publishes paths the way PHP json_encode writes them', async () => {
    await harness.nextcloud.mkdir('alice', 'files/Ünï');
    await harness.drain();
    const { fileId } = await harness.nextcloud.writeFile('alice', 'files/Ünï/😀.md', '# hi');
    const [first] = await harness.drain();
    assert.equal(
      first?.message,
      `{"storage":${storage},"path":"files\\/\\u00dcn\\u00ef\\/\\ud83d\\ude00.md","file_id":${fileId}}`,
    );
  });

  it('publishes nothing for changes outside files (trash, versions, cache)', async () => {
    await harness.nextcloud.mkdir('alice', 'cache');
    await harness.nextcloud.writeFile('alice', 'cache/chunk', 'x');
    assert.deepEqual(await harness.drain(), []);
    assert.ok(await filecacheRow(harness, 'alice', 'cache/chunk'));
  });

  it('delete removes the subtree, shrinks the ancestors and publishes the removed fileid', async () => {
    await harness.nextcloud.mkdir('alice', 'files/old');
    await harness.nextcloud.mkdir('alice', 'files/old/inner');
    await harness.nextcloud.writeFile('alice', 'files/old/inner/b.txt', '12345');
    const old = await row('files/old');
    const filesBefore = await row('files');
    await harness.drain();
    await harness.nextcloud.delete('alice', 'files/old');
    assert.equal(await filecacheRow(harness, 'alice', 'files/old'), undefined);
    assert.equal(await filecacheRow(harness, 'alice', 'files/old/inner/b.txt'), undefined);
    const filesAfter = await row('files');
    assert.equal(filesAfter.size, filesBefore.size - 5);
    assert.notEqual(filesAfter.etag, filesBefore.etag);
    assert.deepEqual(storageUpdates(await harness.drain(), storage), [
      ['files/old', old.fileid],
      ['files', filesAfter.fileid],
    ]);
  });

  it('move keeps the fileid, rewrites the subtree and publishes both locations', async () => {
    await harness.nextcloud.mkdir('alice', 'files/from');
    await harness.nextcloud.mkdir('alice', 'files/from/sub');
    await harness.nextcloud.writeFile('alice', 'files/from/sub/c.txt', 'abc');
    await harness.nextcloud.mkdir('alice', 'files/to');
    const sub = await row('files/from/sub');
    const child = await row('files/from/sub/c.txt');
    const target = await row('files/to');
    await harness.drain();
    await harness.nextcloud.move('alice', 'files/from/sub', 'files/to/renamed');
    const moved = await row('files/to/renamed');
    assert.equal(moved.fileid, sub.fileid);
    assert.equal(moved.parent, target.fileid);
    assert.equal(moved.name, 'renamed');
    assert.equal((await row('files/to/renamed/c.txt')).fileid, child.fileid);
    assert.equal(await filecacheRow(harness, 'alice', 'files/from/sub'), undefined);
    assert.equal((await row('files/from')).size, 0);
    assert.equal((await row('files/to')).size, 3);
    assert.deepEqual(storageUpdates(await harness.drain(), storage), [
      ['files/to/renamed', sub.fileid],
      ['files/to', target.fileid],
      ['files', (await row('files')).fileid],
      ['files/from', (await row('files/from')).fileid],
    ]);
  });

  it('refuses bad paths and impossible operations with clear errors and publishes nothing', async () => {
    const nc = harness.nextcloud;
    await assert.rejects(nc.writeFile('alice', 'files/../etc/passwd', 'x'), InvalidInputError);
    await assert.rejects(nc.writeFile('alice', 'files//a', 'x'), InvalidInputError);
    await assert.rejects(nc.writeFile('alice', 'files/missing/a.txt', 'x'), NodeNotFoundError);
    await assert.rejects(nc.writeFile('alice', 'files/docs/a.txt/b', 'x'), NodeNotFoundError);
    await assert.rejects(nc.writeFile('alice', 'files/docs', 'x'), NodeExistsError);
    await assert.rejects(nc.mkdir('alice', 'files/docs'), NodeExistsError);
    await assert.rejects(nc.delete('alice', 'files/nothing'), NodeNotFoundError);
    await assert.rejects(nc.delete('alice', 'files'), InvalidInputError);
    await assert.rejects(nc.move('alice', 'files/docs', 'files/docs/inside'), InvalidInputError);
    await assert.rejects(nc.move('alice', 'files/docs/a.txt', 'files/to'), NodeExistsError);
    await assert.rejects(nc.writeFile('nobody', 'files/a.txt', 'x'), UnknownUserError);
    assert.deepEqual(await harness.drain(), []);
  });
});
