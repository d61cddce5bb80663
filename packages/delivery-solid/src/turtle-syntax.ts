/** Writing RDF terms in Turtle (RDF 1.1 Turtle §6.3, §6.4), for the hand-written serializers. */

// IRIREF excludes these; a UCHAR escape keeps the output parsable whatever the IRI holds.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape
const IRI_UNSAFE = /[\u0000-\u0020<>"{}|^`\\]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we escape
const STRING_UNSAFE = /[\u0000-\u001f"\\\u007f]/g;
const STRING_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function uchar(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `<iri>`. */
export function turtleIri(iri: string): string {
  return `<${iri.replace(IRI_UNSAFE, uchar)}>`;
}

/** A quoted string literal, `"…"`. */
export function turtleString(value: string): string {
  return `"${value.replace(STRING_UNSAFE, (char) => STRING_ESCAPES[char] ?? uchar(char))}"`;
}
