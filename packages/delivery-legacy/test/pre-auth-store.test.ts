import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PreAuthStore } from '../src/pre-auth-store.js';

describe('PreAuthStore', () => {
  it('returns the user of a token once', () => {
    const store = new PreAuthStore(15_000, 10);
    store.add('alice', 'token', 0);
    assert.equal(store.take('token', 1), 'alice');
    assert.equal(store.take('token', 2), undefined);
  });

  it('forgets a token once its lifetime has passed', () => {
    const store = new PreAuthStore(100, 10);
    store.add('alice', 'token', 0);
    assert.equal(store.take('token', 100), undefined);
  });

  it('purges expired tokens when new ones arrive', () => {
    const store = new PreAuthStore(100, 10);
    store.add('alice', 'a', 0);
    store.add('bob', 'b', 50);
    store.add('carol', 'c', 120);
    assert.equal(store.size, 2);
    assert.equal(store.take('b', 130), 'bob');
  });

  it('drops the oldest tokens past its capacity', () => {
    const store = new PreAuthStore(15_000, 2);
    store.add('alice', 'a', 0);
    store.add('bob', 'b', 1);
    store.add('carol', 'c', 2);
    assert.equal(store.size, 2);
    assert.equal(store.take('a', 3), undefined);
    assert.equal(store.take('c', 3), 'carol');
  });

  it('renews a token that is published again', () => {
    const store = new PreAuthStore(100, 10);
    store.add('alice', 'a', 0);
    store.add('bob', 'b', 10);
    store.add('alice', 'a', 90);
    assert.equal(store.take('a', 150), 'alice');
  });
});
