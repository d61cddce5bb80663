import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeJsonSyntaxError, jsonSyntaxErrorOffset } from '../src/json-syntax-error.js';

function describeFailure(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return describeJsonSyntaxError(text, error as Error);
  }
  throw new Error('expected invalid JSON');
}

describe('JSON syntax errors', () => {
  it('finds no error in valid JSON', () => {
    for (const text of [
      '{}',
      '[]',
      ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}} ',
      '"s"',
      '0',
    ]) {
      assert.equal(jsonSyntaxErrorOffset(text), undefined, text);
    }
  });

  it('points at the first character that cannot continue the text', () => {
    assert.equal(jsonSyntaxErrorOffset('{"a":}'), 5);
    assert.equal(jsonSyntaxErrorOffset('[1,]'), 3);
    assert.equal(jsonSyntaxErrorOffset('{"a" 1}'), 5);
    assert.equal(jsonSyntaxErrorOffset('{"a":1}}'), 7);
    assert.equal(jsonSyntaxErrorOffset("{'a':1}"), 1);
    assert.equal(jsonSyntaxErrorOffset('{"a":01}'), 6);
    assert.equal(jsonSyntaxErrorOffset('["a\tb"]'), 1);
  });

  it('points at the end of a text that stops early', () => {
    assert.equal(jsonSyntaxErrorOffset('{"a":1'), 6);
    assert.equal(jsonSyntaxErrorOffset('nul'), 0);
  });

  it('says the line and column, and what is there', () => {
    assert.equal(
      describeFailure('{\n  "topic": "https://example.org/x",\n}'),
      'the body is not valid JSON: unexpected "}" at line 3, column 1',
    );
    assert.equal(
      describeFailure('{"topic": "https://example.org/x"'),
      'the body is not valid JSON: it ends at line 1, column 34 before the JSON text is complete',
    );
  });

  it('says when the body is empty', () => {
    assert.equal(describeFailure(' \n'), 'the body is empty');
  });

  it("falls back to the parser's message when it cannot place the error", () => {
    assert.equal(
      describeJsonSyntaxError('{}', new SyntaxError('odd')),
      'the body is not valid JSON: odd',
    );
  });
});
