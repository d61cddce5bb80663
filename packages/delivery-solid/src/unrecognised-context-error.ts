/**
 * Thrown by the bundled document loader for any context IRI it does not bundle. The gateway
 * never fetches a context (reference/solid.md §1.7: CSS does, which is an SSRF and latency
 * vector), so the message tells the sender which contexts it can use instead.
 */
export class UnrecognisedContextError extends Error {
  constructor(readonly iri: string) {
    super(
      `unrecognised JSON-LD context ${iri}: only the Solid notifications and Activity Streams contexts are supported (they are bundled; the gateway never fetches contexts)`,
    );
    this.name = 'UnrecognisedContextError';
  }
}
