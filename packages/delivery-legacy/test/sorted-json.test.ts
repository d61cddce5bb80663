import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringifySorted } from '../src/sorted-json.js';

describe('stringifySorted', () => {
  it('prints compact JSON with keys sorted at every depth', () => {
    assert.equal(
      stringifySorted({ b: 1, a: { d: [{ z: 0, y: 'x' }], c: null } }),
      '{"a":{"c":null,"d":[{"y":"x","z":0}]},"b":1}',
    );
  });

  it('sorts integer-like keys as strings, as Rust does', () => {
    assert.equal(
      stringifySorted({ 10: 'a', 9: 'b', 1: 'c', '': 'd' }),
      '{"":"d","1":"c","10":"a","9":"b"}',
    );
  });

  it('sorts keys by code point, placing astral characters after U+FFFF', () => {
    assert.equal(
      stringifySorted({ '😀': 1, '\uffff': 2, é: 3, Z: 4 }),
      '{"Z":4,"é":3,"\uffff":2,"😀":1}',
    );
  });

  it('prints scalars and escapes strings as JSON does', () => {
    assert.equal(stringifySorted('a"b\n'), '"a\\"b\\n"');
    assert.equal(stringifySorted(true), 'true');
    assert.equal(stringifySorted(1.5), '1.5');
    assert.equal(stringifySorted([]), '[]');
    assert.equal(stringifySorted({}), '{}');
  });
});
