import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidInputError, UserExistsError } from '../src/index.js';
import { UserDirectory } from '../src/users.js';

describe('UserDirectory', () => {
  const directory = new UserDirectory();
  directory.add({
    uid: 'Alice',
    password: 'pw',
    loginName: 'alice@example.com',
    appPasswords: ['tok'],
  });
  directory.add({ uid: 'bob', password: 'bob-pw' });

  it('resolves the uid, case-insensitively, or the login name with the password to the uid', () => {
    assert.equal(directory.authenticate('Alice', 'pw'), 'Alice');
    assert.equal(directory.authenticate('alice', 'pw'), 'Alice');
    assert.equal(directory.authenticate('ALICE@example.com', 'pw'), 'Alice');
    assert.equal(directory.authenticate('bob', 'bob-pw'), 'bob');
  });

  it('accepts an app password only with the login name it belongs to', () => {
    assert.equal(directory.authenticate('alice@example.com', 'tok'), 'Alice');
    assert.equal(directory.authenticate('Alice', 'tok'), undefined);
    assert.equal(directory.authenticate('bob', 'tok'), undefined);
  });

  it('rejects wrong passwords and unknown logins', () => {
    assert.equal(directory.authenticate('Alice', 'PW'), undefined);
    assert.equal(directory.authenticate('carol', 'pw'), undefined);
    assert.equal(directory.authenticate('', ''), undefined);
  });

  it('refuses invalid and duplicate user ids', () => {
    for (const uid of ['', '.', '..', ' padded', 'a/b', 'x'.repeat(65)]) {
      assert.throws(() => directory.add({ uid, password: 'x' }), InvalidInputError, uid);
    }
    assert.throws(() => directory.add({ uid: 'bob', password: 'x' }), UserExistsError);
  });
});
