import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from 'n3';
import { turtleIri, turtleString } from '../src/turtle-syntax.js';

function objectOf(turtleObject: string) {
  const [quad] = new Parser({ format: 'text/turtle' }).parse(`<s:s> <p:p> ${turtleObject}.`);
  return quad?.object.value;
}

describe('Turtle terms', () => {
  it('writes IRIs as they are when they can be', () => {
    assert.equal(turtleIri('https://example.org/a?b=c#d'), '<https://example.org/a?b=c#d>');
  });

  it('escapes characters an IRIREF cannot hold', () => {
    assert.equal(turtleIri('https://example.org/a b>'), '<https://example.org/a\\u0020b\\u003E>');
  });

  it('escapes quotes, backslashes and control characters in strings', () => {
    const value = '"1795360234054-text/plain" \\ \n\r\t\u0001 é';
    assert.equal(turtleString(value), '"\\"1795360234054-text/plain\\" \\\\ \\n\\r\\t\\u0001 é"');
    assert.equal(objectOf(turtleString(value)), value);
  });

  it('writes what n3 reads back unchanged', () => {
    assert.equal(objectOf(turtleIri('https://example.org/é?x=1')), 'https://example.org/é?x=1');
  });
});
