import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBelowRoot, userPath } from '../src/index.js';

describe('isBelowRoot', () => {
  it('matches the root itself, everything below it, and everything for an empty root', () => {
    assert.equal(isBelowRoot('files/a', ''), true);
    assert.equal(isBelowRoot('', ''), true);
    assert.equal(isBelowRoot('files/a', 'files/a'), true);
    assert.equal(isBelowRoot('files/a/b', 'files/a'), true);
  });

  it('does not match a sibling that shares a name prefix', () => {
    assert.equal(isBelowRoot('files/ab', 'files/a'), false);
    assert.equal(isBelowRoot('files', 'files/a'), false);
  });
});

describe('userPath', () => {
  it('places the path below the mount point without the user segment', () => {
    const home = { userId: 'alice', rootPath: '', mountPoint: '/alice/' };
    const share = { userId: 'bob', rootPath: 'files/docs', mountPoint: '/bob/files/Shared/docs/' };
    assert.equal(userPath('files/docs/a.txt', home), 'files/docs/a.txt');
    assert.equal(userPath('files/docs/a.txt', share), 'files/Shared/docs/a.txt');
    assert.equal(userPath('files/docs', share), 'files/Shared/docs');
  });
});
