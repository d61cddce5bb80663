import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Notification } from '../src/channel.js';
import { serializeNotification } from '../src/notification-serializer.js';
import { type ContextStyle, JSON_LD, TURTLE } from '../src/vocabulary.js';
import { jsonLdTriples, triples, turtleTriples } from './rdf-triples.js';

const AS = 'https://www.w3.org/ns/activitystreams#';
const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const OFFICIAL = { mediaType: JSON_LD, contextStyle: 'notifications-context' } as const;

const UPDATE: Notification = {
  id: 'urn:uuid:fc8b5af4-bd7e-4fd1-a649-afcbd0e1c083',
  type: 'Update',
  object: 'https://example.org/guinan/profile',
  state: '128f-MtYev',
  published: Date.parse('2021-08-05T01:01:49.550Z'),
};
const ADD: Notification = {
  id: 'urn:uuid:a4da6738-5c55-4b40-9e5b-0f0a6e8d1e4a',
  type: 'Add',
  object: 'https://example.org/guinan/photos/image',
  target: 'https://example.org/guinan/photos/',
  state: '"1795360234054-text/turtle"',
  published: Date.parse('2022-11-24T11:55:31.483Z'),
};
const DELETE: Notification = {
  id: 'urn:uuid:0c5a4b1e-8d7f-4e3a-b2c1-9f8e7d6c5b4a',
  type: 'Delete',
  object: 'https://example.org/guinan/old',
  published: Date.parse('2022-11-24T11:55:31.483Z'),
};
const STYLES: ContextStyle[] = ['notifications-context', 'legacy-notification'];

describe('notification serializer', () => {
  it("writes the protocol's Update example exactly", () => {
    assert.equal(
      serializeNotification(UPDATE, OFFICIAL),
      '{"@context":["https://www.w3.org/ns/activitystreams","https://www.w3.org/ns/solid/notifications-context/v1"],"id":"urn:uuid:fc8b5af4-bd7e-4fd1-a649-afcbd0e1c083","type":"Update","object":"https://example.org/guinan/profile","state":"128f-MtYev","published":"2021-08-05T01:01:49.550Z"}',
    );
  });

  it("writes the legacy context in the legacy style, as CSS's tests expect", () => {
    const json = JSON.parse(
      serializeNotification(UPDATE, { mediaType: JSON_LD, contextStyle: 'legacy-notification' }),
    );
    assert.deepEqual(json['@context'], [
      'https://www.w3.org/ns/activitystreams',
      'https://www.w3.org/ns/solid/notification/v1',
    ]);
  });

  it("has exactly CSS's keys in its order: target for Add and Remove, no state on Delete", () => {
    assert.deepEqual(Object.keys(JSON.parse(serializeNotification(ADD, OFFICIAL))), [
      '@context',
      'id',
      'type',
      'object',
      'target',
      'state',
      'published',
    ]);
    assert.deepEqual(Object.keys(JSON.parse(serializeNotification(DELETE, OFFICIAL))), [
      '@context',
      'id',
      'type',
      'object',
      'published',
    ]);
  });

  it('writes Turtle with Activity Streams IRIs, notify:state and a typed published', () => {
    assert.equal(
      serializeNotification(ADD, { mediaType: TURTLE, contextStyle: 'notifications-context' }),
      `@prefix as: <${AS}>.
@prefix notify: <${NOTIFY}>.
@prefix xsd: <${XSD}>.

<${ADD.id}> a as:Add;
  as:object <https://example.org/guinan/photos/image>;
  as:target <https://example.org/guinan/photos/>;
  notify:state "\\"1795360234054-text/turtle\\"";
  as:published "2022-11-24T11:55:31.483Z"^^xsd:dateTime.
`,
    );
  });

  it('writes Turtle that means the notification', () => {
    assert.deepEqual(
      turtleTriples(
        serializeNotification(UPDATE, { mediaType: TURTLE, contextStyle: 'legacy-notification' }),
      ),
      triples(
        `<${UPDATE.id}> <${RDF_TYPE}> <${AS}Update>`,
        `<${UPDATE.id}> <${AS}object> <${UPDATE.object}>`,
        `<${UPDATE.id}> <${NOTIFY}state> "128f-MtYev"^^<${XSD}string>`,
        `<${UPDATE.id}> <${AS}published> "2021-08-05T01:01:49.550Z"^^<${XSD}dateTime>`,
      ),
    );
  });

  for (const notification of [UPDATE, ADD, DELETE]) {
    for (const contextStyle of STYLES) {
      it(`writes JSON-LD with the same triples as the Turtle (${notification.type}, ${contextStyle})`, async () => {
        assert.deepEqual(
          await jsonLdTriples(
            serializeNotification(notification, { mediaType: JSON_LD, contextStyle }),
          ),
          turtleTriples(serializeNotification(notification, { mediaType: TURTLE, contextStyle })),
        );
      });
    }
  }
});
