import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { phpJsonEncode } from '../src/index.js';

describe('phpJsonEncode', () => {
  it('escapes slashes and every non-ASCII code unit as lower-case \\u escapes', () => {
    assert.equal(
      phpJsonEncode({ path: 'files/Ünï/😀 €.txt', n: 1 }),
      '{"path":"files\\/\\u00dcn\\u00ef\\/\\ud83d\\ude00 \\u20ac.txt","n":1}',
    );
  });

  it('keeps ASCII, control escapes and the meaning of the value', () => {
    const value = { text: 'a"b\\c\n\u0001\u007f', list: [true, null, 1.5], token: 'x+y/z' };
    const encoded = phpJsonEncode(value);
    assert.equal(
      encoded,
      '{"text":"a\\"b\\\\c\\n\\u0001\u007f","list":[true,null,1.5],"token":"x+y\\/z"}',
    );
    assert.deepEqual(JSON.parse(encoded), value);
  });

  it('refuses values JSON cannot represent', () => {
    assert.throws(() => phpJsonEncode(undefined), TypeError);
  });
});
