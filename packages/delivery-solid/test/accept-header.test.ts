import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidAcceptHeader, negotiate, parseAcceptHeader } from '../src/accept-header.js';

const RDF = ['application/ld+json', 'text/turtle'] as const;

describe('Accept header', () => {
  it('parses media ranges with weights, parameters and extensions', () => {
    assert.deepEqual(parseAcceptHeader('text/turtle;charset=utf-8;q=0.5;ext=1, */*'), [
      { type: 'text', subtype: 'turtle', parameters: [['charset', 'utf-8']], q: 0.5 },
      { type: '*', subtype: '*', parameters: [], q: 1 },
    ]);
  });

  it('leaves malformed ranges out instead of failing', () => {
    assert.deepEqual(
      parseAcceptHeader('garbage, text/turtle;q=2, */turtle, text/turtle;q=0.123').map((r) => r.q),
      [0.123],
    );
  });

  it('offers the first offered type when there is no header', () => {
    assert.equal(negotiate(undefined, RDF), 'application/ld+json');
    assert.equal(negotiate('', RDF), 'application/ld+json');
  });

  it('offers the first offered type when no range is well-formed', () => {
    assert.equal(negotiate('nonsense;;', RDF), 'application/ld+json');
  });

  it('picks the highest weight', () => {
    assert.equal(negotiate('application/ld+json;q=0.5, text/turtle', RDF), 'text/turtle');
    assert.equal(
      negotiate('text/turtle;q=0.9, application/ld+json;q=0.91', RDF),
      'application/ld+json',
    );
  });

  it('breaks ties in the server order', () => {
    assert.equal(negotiate('text/turtle, application/ld+json', RDF), 'application/ld+json');
    assert.equal(negotiate('*/*', RDF), 'application/ld+json');
  });

  it('lets more specific ranges override wildcards, including q=0 exclusions', () => {
    assert.equal(negotiate('*/*, application/ld+json;q=0', RDF), 'text/turtle');
    assert.equal(negotiate('text/*;q=0.2, */*;q=0.1', RDF), 'text/turtle');
    assert.equal(negotiate('application/*;q=0, */*', RDF), 'text/turtle');
  });

  it('answers undefined when nothing offered is acceptable', () => {
    assert.equal(negotiate('image/png', RDF), undefined);
    assert.equal(negotiate('text/turtle;q=0, application/ld+json;q=0', RDF), undefined);
    assert.equal(negotiate('*/*', []), undefined);
  });

  it('matches types case-insensitively and tolerates whitespace', () => {
    assert.equal(negotiate('  TEXT/Turtle ;  Q=1 , image/png', RDF), 'text/turtle');
  });

  it('does not let media-type parameters restrict the match', () => {
    assert.equal(
      negotiate('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', RDF),
      'application/ld+json',
    );
  });

  it('validates whole headers for the accept feature', () => {
    assert.equal(isValidAcceptHeader('text/turtle, application/ld+json;q=0.9'), true);
    assert.equal(isValidAcceptHeader('*/*;q=0'), true);
    assert.equal(isValidAcceptHeader('text/turtle, nonsense'), false);
    assert.equal(isValidAcceptHeader('text/turtle;q=1.5'), false);
    assert.equal(isValidAcceptHeader('text/turtle;q=0.1234'), false);
    assert.equal(isValidAcceptHeader('*/turtle'), false);
    assert.equal(isValidAcceptHeader(''), false);
    assert.equal(isValidAcceptHeader(' , '), false);
  });
});
