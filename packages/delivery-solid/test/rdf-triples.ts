import jsonld, { type Options } from 'jsonld';
import { Parser, type Quad, type Term } from 'n3';
import { bundledDocumentLoader } from '../src/json-ld-contexts.js';

/** A term as one comparable string; every blank node is `_:` (the outputs compared have none). */
function termText(term: Term): string {
  switch (term.termType) {
    case 'NamedNode':
      return `<${term.value}>`;
    case 'BlankNode':
      return '_:';
    case 'Literal':
      return `${JSON.stringify(term.value)}^^<${term.datatype.value}>${term.language ? `@${term.language}` : ''}`;
    default:
      return term.value;
  }
}

function tripleSet(quads: readonly Quad[]): Set<string> {
  return new Set(quads.map((q) => [q.subject, q.predicate, q.object].map(termText).join(' ')));
}

/** The triples of a Turtle document, as a set of N-Triples-like lines. */
export function turtleTriples(text: string): Set<string> {
  return tripleSet(new Parser({ format: 'text/turtle' }).parse(text));
}

/**
 * The triples of a JSON-LD document, read with the bundled contexts in jsonld.js's safe mode,
 * which fails on any key or value that means nothing (instead of dropping it).
 */
export async function jsonLdTriples(text: string): Promise<Set<string>> {
  const options = {
    format: 'application/n-quads',
    safe: true,
    documentLoader: bundledDocumentLoader,
  };
  const nquads = await jsonld.toRDF(JSON.parse(text), options as unknown as Options.ToRdf);
  return tripleSet(new Parser({ format: 'N-Quads' }).parse(nquads as string));
}

/** Lines such as `<s> <p> <o>` or `<s> <p> "v"^^<dt>`, the form the helpers above give. */
export function triples(...lines: string[]): Set<string> {
  return new Set(lines);
}
