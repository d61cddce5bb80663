import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnrecognisedContextError } from '../src/unrecognised-context-error.js';

describe('UnrecognisedContextError', () => {
  it('names the context and says which ones are supported', () => {
    const error = new UnrecognisedContextError('https://example.org/context');
    assert.equal(error.iri, 'https://example.org/context');
    assert.equal(error.name, 'UnrecognisedContextError');
    assert.match(
      error.message,
      /^unrecognised JSON-LD context https:\/\/example\.org\/context: only the Solid notifications and Activity Streams contexts are supported/,
    );
  });
});
