import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataFactory, Parser, Store } from 'n3';
import {
  type StorageDescription,
  type SubscriptionServiceDescription,
  serializeStorageDescription,
  serializeSubscriptionService,
} from '../src/description-serializer.js';
import { JSON_LD, TURTLE } from '../src/vocabulary.js';
import { jsonLdTriples, triples, turtleTriples } from './rdf-triples.js';

const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const ROOT = 'https://pod.example/';
const WEBSOCKET: SubscriptionServiceDescription = {
  id: `${ROOT}.notifications/WebSocketChannel2023/`,
  channelType: 'WebSocketChannel2023',
  features: ['accept', 'endAt', 'rate', 'startAt', 'state'],
};
const WEBHOOK: SubscriptionServiceDescription = {
  id: `${ROOT}.notifications/WebhookChannel2023/`,
  channelType: 'WebhookChannel2023',
  features: ['endAt', 'state'],
};
const DESCRIPTION: StorageDescription = {
  id: `${ROOT}.well-known/solid`,
  services: [WEBSOCKET, WEBHOOK],
};
const WITH_ROOT: StorageDescription = { ...DESCRIPTION, storage: ROOT };

describe('description serializer', () => {
  it("writes a subscription service in the protocol's compacted data model", () => {
    assert.equal(
      serializeSubscriptionService(WEBSOCKET, JSON_LD),
      `{"@context":["https://www.w3.org/ns/solid/notifications-context/v1"],"id":"${WEBSOCKET.id}","channelType":"WebSocketChannel2023","feature":["accept","endAt","rate","startAt","state"]}`,
    );
  });

  it('writes a subscription service as Turtle', () => {
    assert.equal(
      serializeSubscriptionService(WEBSOCKET, TURTLE),
      `@prefix notify: <${NOTIFY}>.

<${WEBSOCKET.id}> notify:channelType notify:WebSocketChannel2023;
  notify:feature notify:accept, notify:endAt, notify:rate, notify:startAt, notify:state.
`,
    );
    assert.deepEqual(
      turtleTriples(serializeSubscriptionService(WEBHOOK, TURTLE)),
      triples(
        `<${WEBHOOK.id}> <${NOTIFY}channelType> <${NOTIFY}WebhookChannel2023>`,
        `<${WEBHOOK.id}> <${NOTIFY}feature> <${NOTIFY}endAt>`,
        `<${WEBHOOK.id}> <${NOTIFY}feature> <${NOTIFY}state>`,
      ),
    );
  });

  it('writes the storage description with the services inline', () => {
    assert.deepEqual(JSON.parse(serializeStorageDescription(DESCRIPTION, JSON_LD)), {
      '@context': ['https://www.w3.org/ns/solid/notifications-context/v1'],
      id: DESCRIPTION.id,
      subscription: [
        { id: WEBSOCKET.id, channelType: 'WebSocketChannel2023', feature: WEBSOCKET.features },
        { id: WEBHOOK.id, channelType: 'WebhookChannel2023', feature: ['endAt', 'state'] },
      ],
    });
  });

  it('puts the storage root, a pim:Storage with the same links, in @included', () => {
    const json = JSON.parse(serializeStorageDescription(WITH_ROOT, JSON_LD));
    assert.deepEqual(json['@included'], [
      {
        id: ROOT,
        type: 'http://www.w3.org/ns/pim/space#Storage',
        subscription: [WEBSOCKET.id, WEBHOOK.id],
      },
    ]);
  });

  it('links the services from both subjects in Turtle', () => {
    const described = turtleTriples(serializeStorageDescription(WITH_ROOT, TURTLE));
    for (const subject of [DESCRIPTION.id, ROOT]) {
      for (const service of [WEBSOCKET, WEBHOOK]) {
        assert.ok(described.has(`<${subject}> <${NOTIFY}subscription> <${service.id}>`));
      }
    }
    assert.ok(described.has(`<${ROOT}> <${RDF_TYPE}> <http://www.w3.org/ns/pim/space#Storage>`));
  });

  it("lets CSS's discovery test find exactly one WebSocket service", () => {
    const store = new Store(new Parser().parse(serializeStorageDescription(WITH_ROOT, TURTLE)));
    const { namedNode } = DataFactory;
    const services = store
      .getObjects(null, namedNode(`${NOTIFY}subscription`), null)
      .filter((service) =>
        store.has(
          DataFactory.quad(
            service as ReturnType<typeof namedNode>,
            namedNode(`${NOTIFY}channelType`),
            namedNode(`${NOTIFY}WebSocketChannel2023`),
          ),
        ),
      );
    assert.deepEqual(
      services.map((service) => service.value),
      [WEBSOCKET.id],
    );
  });

  it('writes a service without features and a description without services', async () => {
    const bare: SubscriptionServiceDescription = { ...WEBHOOK, features: [] };
    assert.deepEqual(
      turtleTriples(serializeSubscriptionService(bare, TURTLE)),
      triples(`<${WEBHOOK.id}> <${NOTIFY}channelType> <${NOTIFY}WebhookChannel2023>`),
    );
    assert.deepEqual(
      await jsonLdTriples(serializeStorageDescription({ ...DESCRIPTION, services: [] }, JSON_LD)),
      new Set(),
    );
  });

  const documents = {
    'the WebSocket service': (type: typeof JSON_LD | typeof TURTLE) =>
      serializeSubscriptionService(WEBSOCKET, type),
    'a service without features': (type: typeof JSON_LD | typeof TURTLE) =>
      serializeSubscriptionService({ ...WEBHOOK, features: [] }, type),
    'the storage description': (type: typeof JSON_LD | typeof TURTLE) =>
      serializeStorageDescription(DESCRIPTION, type),
    'the storage description with its root': (type: typeof JSON_LD | typeof TURTLE) =>
      serializeStorageDescription(WITH_ROOT, type),
    'a root without services': (type: typeof JSON_LD | typeof TURTLE) =>
      serializeStorageDescription({ ...WITH_ROOT, services: [] }, type),
  };
  for (const [name, serialize] of Object.entries(documents)) {
    it(`writes JSON-LD with the same triples as the Turtle (${name})`, async () => {
      assert.deepEqual(await jsonLdTriples(serialize(JSON_LD)), turtleTriples(serialize(TURTLE)));
    });
  }
});
