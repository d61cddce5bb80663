/**
 * Says where a text stops being JSON (RFC 8259). Node 20's `JSON.parse` messages give a
 * position only for some errors and quote the whole input for others, so a short scanner finds
 * the place again; it runs only after `JSON.parse` has failed.
 */

const WHITESPACE = /[ \t\n\r]*/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold them raw
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const SCALAR = new RegExp(
  `${STRING.source}|-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|true|false|null`,
  'y',
);

/** What the scanner expects next: a value, an object key, or what follows a value. */
type Expect = 'value' | 'first value' | 'key' | 'first key' | 'next';

/** The offset of the first character that cannot continue the JSON text; undefined if none. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  const closers: string[] = [];
  let expect: Expect = 'value';
  let at = 0;
  for (;;) {
    at = matchEnd(WHITESPACE, text, at) ?? at;
    const char = text[at];
    if (expect === 'next') {
      const closer = closers.at(-1);
      if (closer === undefined) return at === text.length ? undefined : at;
      if (char !== ',' && char !== closer) return at;
      if (char === closer) closers.pop();
      else expect = closer === '}' ? 'key' : 'value';
      at++;
    } else if (
      (expect === 'first key' && char === '}') ||
      (expect === 'first value' && char === ']')
    ) {
      closers.pop();
      at++;
      expect = 'next';
    } else if (expect === 'key' || expect === 'first key') {
      const end = matchEnd(STRING, text, at);
      if (end === undefined) return at;
      at = matchEnd(WHITESPACE, text, end) ?? end;
      if (text[at] !== ':') return at;
      at++;
      expect = 'value';
    } else if (char === '{' || char === '[') {
      closers.push(char === '{' ? '}' : ']');
      at++;
      expect = char === '{' ? 'first key' : 'first value';
    } else {
      const end = matchEnd(SCALAR, text, at);
      if (end === undefined) return at;
      at = end;
      expect = 'next';
    }
  }
}

function matchEnd(pattern: RegExp, text: string, at: number): number | undefined {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : undefined;
}

/**
 * `the body is not valid JSON: …` with the line and column of the error, for a text that
 * `JSON.parse` rejected with `parseError`.
 */
export function describeJsonSyntaxError(text: string, parseError: Error): string {
  if (text.trim() === '') return 'the body is empty';
  const offset = jsonSyntaxErrorOffset(text);
  if (offset === undefined) return `the body is not valid JSON: ${parseError.message}`;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const where = `line ${line}, column ${column}`;
  return offset === text.length
    ? `the body is not valid JSON: it ends at ${where} before the JSON text is complete`
    : `the body is not valid JSON: unexpected ${JSON.stringify(text.slice(offset, offset + 12))} at ${where}`;
}
