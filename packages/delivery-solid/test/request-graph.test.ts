import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type RdfTerm, type RdfTriple, readChannelRequest } from '../src/request-graph.js';
import { SubscriptionRequestError } from '../src/subscription-request-error.js';

const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const TOPIC = 'https://pod.example/remote.php/dav/files/alice/notes.txt';

const iri = (value: string): RdfTerm => ({ termType: 'NamedNode', value });
const literal = (value: string, datatype = 'http://www.w3.org/2001/XMLSchema#string'): RdfTerm => ({
  termType: 'Literal',
  value,
  datatype: { value: datatype },
});
const channel: RdfTerm = { termType: 'BlankNode', value: 'b0' };
const triple = (subject: RdfTerm, predicate: string, object: RdfTerm): RdfTriple => ({
  subject,
  predicate: iri(predicate),
  object,
});

const BASE = [
  triple(channel, RDF_TYPE, iri(`${NOTIFY}WebSocketChannel2023`)),
  triple(channel, `${NOTIFY}topic`, iri(TOPIC)),
];

function read(triples: RdfTriple[], notes: string[] = []) {
  return readChannelRequest(
    { triples, contextStyle: 'notifications-context', notes },
    'WebSocketChannel2023',
  );
}

describe('channel request graphs', () => {
  it('reads the channel subject and its features', () => {
    const triples = [...BASE, triple(channel, `${NOTIFY}state`, literal('abc'))];
    assert.deepEqual(read(triples), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'notifications-context',
      state: 'abc',
    });
  });

  it('counts a repeated triple once', () => {
    const state = triple(channel, `${NOTIFY}state`, literal('abc'));
    assert.equal(read([...BASE, ...BASE, state, state]).state, 'abc');
  });

  it('ignores triples about other subjects', () => {
    const other = iri('https://pod.example/other');
    const triples = [...BASE, triple(other, `${NOTIFY}expiration`, literal('x'))];
    assert.equal(read(triples).topic, TOPIC);
  });

  it('tells a literal and an IRI with the same text apart', () => {
    const triples = [...BASE, triple(channel, `${NOTIFY}topic`, literal(TOPIC))];
    assert.throws(() => read(triples), /the channel has 2 topics/);
  });

  it('adds what reading the body dropped to the messages about a missing topic or type', () => {
    const note = 'JSON-LD dropped the keys "topc"';
    assert.throws(
      () => read([], [note]),
      (error) => error instanceof SubscriptionRequestError && error.message.endsWith(`; ${note}`),
    );
    assert.throws(
      () => read(BASE.slice(1), [note]),
      (error) => error instanceof SubscriptionRequestError && error.message.endsWith(`; ${note}`),
    );
  });

  it('keeps notes out of other messages', () => {
    const triples = [...BASE, triple(channel, `${NOTIFY}rate`, literal('x'))];
    assert.throws(
      () => read(triples, ['JSON-LD dropped the keys "x"']),
      (error) => error instanceof SubscriptionRequestError && !error.message.includes('dropped'),
    );
  });
});
