import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ancestorPaths, normalizePath, pathHash } from '../src/filecache-path.js';
import { InvalidInputError } from '../src/index.js';

describe('filecache paths', () => {
  it('normalizes like Cache::normalize: NFC, no surrounding slashes', () => {
    assert.equal(normalizePath('/files/Cafe\u0301/'), 'files/Café');
    assert.equal(normalizePath('/'), '');
  });

  it('refuses traversal, empty segments, control characters and overlong names', () => {
    for (const path of [
      'files/../x',
      'files/./x',
      'files//x',
      'files/a\u0000',
      'a\\b',
      `f/${'n'.repeat(251)}`,
    ]) {
      assert.throws(() => normalizePath(path), InvalidInputError, path);
    }
  });

  it('lists the ancestors nearest first, ending with the root', () => {
    assert.deepEqual(ancestorPaths('files/a/b.txt'), ['files/a', 'files', '']);
    assert.deepEqual(ancestorPaths(''), []);
  });

  it('hashes paths as md5 of their UTF-8 bytes, the root included', () => {
    assert.equal(pathHash(''), 'd41d8cd98f00b204e9800998ecf8427e');
    assert.equal(pathHash('files'), '45b963397aa40d4a0063e0d85e4fe7a1');
  });
});
