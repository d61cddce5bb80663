import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileEtag, uniqid } from '../src/etag.js';

describe('etags', () => {
  it('uniqid gives 13 hex digits of the current time, each call a larger one', () => {
    const ids = Array.from({ length: 1000 }, uniqid);
    assert.ok(ids.every((id) => /^[0-9a-f]{13}$/.test(id)));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    const seconds = Number.parseInt(ids[0]?.slice(0, 8) ?? '', 16);
    assert.ok(Math.abs(seconds - Date.now() / 1000) < 5);
  });

  it('file etags are 32 hex digits and differ for every write', () => {
    const a = fileEtag(1_700_000_000, 5);
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, fileEtag(1_700_000_000, 5));
  });
});
