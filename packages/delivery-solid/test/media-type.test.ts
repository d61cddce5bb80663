import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMediaType, splitHeaderList } from '../src/media-type.js';

describe('media types', () => {
  it('lower-cases type, subtype and parameter names and unquotes values', () => {
    assert.deepEqual(
      parseMediaType(
        ' Application/LD+JSON ; Profile="https://www.w3.org/ns/solid/notifications-context/v1";charset=UTF-8 ',
      ),
      {
        type: 'application',
        subtype: 'ld+json',
        parameters: [
          ['profile', 'https://www.w3.org/ns/solid/notifications-context/v1'],
          ['charset', 'UTF-8'],
        ],
      },
    );
  });

  it('unescapes quoted pairs and keeps separators inside quotes', () => {
    assert.deepEqual(parseMediaType('text/plain; a="x; y, \\"z\\""')?.parameters, [
      ['a', 'x; y, "z"'],
    ]);
  });

  it('accepts empty parameters, as RFC 9110 allows', () => {
    assert.deepEqual(parseMediaType('text/turtle;')?.parameters, []);
    assert.deepEqual(parseMediaType('text/turtle; ; q=1')?.parameters, [['q', '1']]);
  });

  it('parses wildcards', () => {
    assert.equal(parseMediaType('*/*')?.type, '*');
    assert.equal(parseMediaType('text/*')?.subtype, '*');
  });

  it('rejects what is not a media type', () => {
    for (const text of [
      '',
      'text',
      'text/',
      '/turtle',
      'text/turtle x',
      'text/turtle; a',
      'text/turtle; a = b',
      'text/turtle; a="b',
      'te xt/turtle',
    ]) {
      assert.equal(parseMediaType(text), undefined, text);
    }
  });

  it('splits header lists outside quoted strings and drops empty elements', () => {
    assert.deepEqual(
      splitHeaderList('text/turtle, application/ld+json;profile="a,b", ,*/*;q=0.1,'),
      ['text/turtle', 'application/ld+json;profile="a,b"', '*/*;q=0.1'],
    );
    assert.deepEqual(splitHeaderList('a/b;x="\\",", c/d'), ['a/b;x="\\","', 'c/d']);
    assert.deepEqual(splitHeaderList(' , '), []);
  });
});
