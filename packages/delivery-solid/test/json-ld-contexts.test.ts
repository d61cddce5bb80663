import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonld, { type Options } from 'jsonld';
import {
  ACTIVITYSTREAMS_CONTEXT_DOCUMENT,
  bundledContextIri,
  bundledDocumentLoader,
  LEGACY_NOTIFICATION_CONTEXT_DOCUMENT,
  NOTIFICATIONS_CONTEXT_DOCUMENT,
} from '../src/json-ld-contexts.js';
import { UnrecognisedContextError } from '../src/unrecognised-context-error.js';

const OFFICIAL = 'https://www.w3.org/ns/solid/notifications-context/v1';
const LEGACY = 'https://www.w3.org/ns/solid/notification/v1';
const AS = 'https://www.w3.org/ns/activitystreams';
const CHANNEL_TYPES = [
  'EventSourceChannel2023',
  'LDNChannel2023',
  'StreamingHTTPChannel2023',
  'WebhookChannel2023',
  'WebSocketChannel2023',
];

describe('bundled JSON-LD contexts', () => {
  it('serves the three contexts', async () => {
    assert.deepEqual(
      (await bundledDocumentLoader(OFFICIAL)).document,
      NOTIFICATIONS_CONTEXT_DOCUMENT,
    );
    assert.deepEqual(
      (await bundledDocumentLoader(LEGACY)).document,
      LEGACY_NOTIFICATION_CONTEXT_DOCUMENT,
    );
    assert.deepEqual((await bundledDocumentLoader(AS)).document, ACTIVITYSTREAMS_CONTEXT_DOCUMENT);
  });

  it('accepts each IRI with http:, a trailing # or .jsonld', () => {
    for (const iri of [OFFICIAL, LEGACY, AS]) {
      for (const variant of [iri, `${iri}#`, `${iri}.jsonld`, iri.replace('https:', 'http:')]) {
        assert.equal(bundledContextIri(variant), iri, variant);
      }
    }
  });

  it('rejects any other IRI without fetching it', async () => {
    assert.equal(
      bundledContextIri('https://www.w3.org/ns/solid/notifications-context/v2'),
      undefined,
    );
    await assert.rejects(bundledDocumentLoader('https://example.org/context'), (error) => {
      assert.ok(error instanceof UnrecognisedContextError);
      assert.equal(
        error.message,
        'unrecognised JSON-LD context https://example.org/context: only the Solid notifications and Activity Streams contexts are supported (they are bundled; the gateway never fetches contexts)',
      );
      return true;
    });
  });

  it('gives the legacy context the channel-type terms of the official one', () => {
    const official = NOTIFICATIONS_CONTEXT_DOCUMENT['@context'];
    const legacy = LEGACY_NOTIFICATION_CONTEXT_DOCUMENT['@context'];
    for (const type of CHANNEL_TYPES) assert.equal(legacy[type], official[type], type);
    assert.deepEqual(Object.keys(legacy).sort(), Object.keys(official).sort());
  });

  it('hands out copies, so the constants cannot be changed', async () => {
    const { document } = await bundledDocumentLoader(OFFICIAL);
    assert.notEqual(document, NOTIFICATIONS_CONTEXT_DOCUMENT);
  });

  it('tags documents so that jsonld.js caches them across requests', async () => {
    let loads = 0;
    const documentLoader = (url: string) => {
      loads++;
      return bundledDocumentLoader(url);
    };
    // An IRI variant no other test uses, so the process-wide cache starts without it.
    const doc = {
      '@context': 'http://www.w3.org/ns/solid/notifications-context/v1.jsonld#',
      type: 'WebSocketChannel2023',
    };
    for (let i = 0; i < 3; i++) {
      await jsonld.toRDF(structuredClone(doc), { documentLoader } as unknown as Options.ToRdf);
    }
    assert.equal(loads, 1);
  });

  it('lets the compact channel type and both contexts together expand', async () => {
    const nquads = await jsonld.toRDF(
      { '@context': [LEGACY, OFFICIAL], id: 'https://example.org/c', type: 'WebSocketChannel2023' },
      {
        documentLoader: bundledDocumentLoader,
        format: 'application/n-quads',
      } as unknown as Options.ToRdf,
    );
    assert.equal(
      nquads,
      '<https://example.org/c> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.w3.org/ns/solid/notifications#WebSocketChannel2023> .\n',
    );
  });
});
