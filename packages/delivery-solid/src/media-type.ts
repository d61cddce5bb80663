/** A media type or media range as HTTP writes it (RFC 9110 §8.3.1, §12.5.1). */
export interface MediaType {
  /** Lower case; `*` in a range. */
  readonly type: string;
  /** Lower case; `*` in a range. */
  readonly subtype: string;
  /** In order, names lower-cased, values unquoted (their case is kept: `profile` IRIs need it). */
  readonly parameters: readonly (readonly [name: string, value: string])[];
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[^"\\\\]|\\\\.)*"';
const TYPE_AND_SUBTYPE = new RegExp(`^(${TOKEN})/(${TOKEN})`, 'y');
// RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ), no whitespace around "=".
const PARAMETER = new RegExp(`[ \\t]*;[ \\t]*(?:(${TOKEN})=(${TOKEN}|${QUOTED_STRING}))?`, 'y');

/** Parses `type/subtype; name=value …`; undefined when the text is not one. */
export function parseMediaType(text: string): MediaType | undefined {
  const trimmed = text.trim();
  TYPE_AND_SUBTYPE.lastIndex = 0;
  const head = TYPE_AND_SUBTYPE.exec(trimmed);
  if (head === null) return undefined;
  const parameters: [string, string][] = [];
  PARAMETER.lastIndex = TYPE_AND_SUBTYPE.lastIndex;
  while (PARAMETER.lastIndex < trimmed.length) {
    const match = PARAMETER.exec(trimmed);
    if (match === null) return undefined;
    const [, name, value] = match;
    if (name !== undefined && value !== undefined) {
      parameters.push([name.toLowerCase(), unquote(value)]);
    }
  }
  const [, type = '', subtype = ''] = head;
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), parameters };
}

function unquote(value: string): string {
  return value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

/**
 * Splits a comma-separated header value into its elements, leaving commas inside quoted
 * strings alone; empty elements are dropped (RFC 9110 §5.6.1 says to accept and ignore them).
 */
export function splitHeaderList(value: string): string[] {
  const elements: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      elements.push(value.slice(start, i));
      start = i + 1;
    }
  }
  elements.push(value.slice(start));
  return elements.map((element) => element.trim()).filter((element) => element !== '');
}
