import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelDescription } from '../src/channel.js';
import { serializeChannel } from '../src/channel-serializer.js';
import { parseSubscriptionRequest } from '../src/subscription-request.js';
import { type ContextStyle, JSON_LD, TURTLE } from '../src/vocabulary.js';
import { jsonLdTriples, triples, turtleTriples } from './rdf-triples.js';

const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
const SERVICE = 'https://pod.example/.notifications/';
const ID = `${SERVICE}WebSocketChannel2023/91ee4f6c-3f3c-4c53-9d5e-1e0c1b5b2a77`;
const TOPIC = 'https://pod.example/remote.php/dav/files/alice/notes.txt';
const END_AT = Date.UTC(2026, 11, 6, 15, 10, 16, 456);

const WEBSOCKET: ChannelDescription = {
  id: ID,
  type: 'WebSocketChannel2023',
  topic: TOPIC,
  receiveFrom: ID.replace('https:', 'wss:'),
  endAt: END_AT,
};

const EVERY_FEATURE: ChannelDescription = {
  ...WEBSOCKET,
  startAt: Date.UTC(2026, 10, 22, 15, 10, 16, 456),
  rateMs: 93_784_500,
  state: '"1795360234054-text/plain"',
  accept: 'text/turtle, application/ld+json;q=0.9',
};

const WEBHOOK: ChannelDescription = {
  id: `${SERVICE}WebhookChannel2023/d4d1b9a8-7f0e-4d59-9a3c-3c2b2f1e0d9c`,
  type: 'WebhookChannel2023',
  topic: TOPIC,
  sendTo: 'https://hooks.example/receive',
  sender: `${SERVICE}WebhookChannel2023/webId`,
  endAt: END_AT,
};

const CHANNELS = { WEBSOCKET, EVERY_FEATURE, WEBHOOK };
const STYLES: ContextStyle[] = ['notifications-context', 'legacy-notification'];

describe('channel serializer', () => {
  it('writes compacted JSON-LD in the protocol context with the compact type', () => {
    assert.equal(
      serializeChannel(WEBSOCKET, JSON_LD, 'notifications-context'),
      `{"@context":["https://www.w3.org/ns/solid/notifications-context/v1"],"id":"${ID}","type":"WebSocketChannel2023","topic":"${TOPIC}","receiveFrom":"${WEBSOCKET.receiveFrom}","endAt":"2026-12-06T15:10:16.456Z"}`,
    );
  });

  it("writes CSS's response shape in the legacy style: the singular context and the full type", () => {
    assert.equal(
      serializeChannel(WEBSOCKET, JSON_LD, 'legacy-notification'),
      `{"@context":["https://www.w3.org/ns/solid/notification/v1"],"id":"${ID}","type":"${NOTIFY}WebSocketChannel2023","topic":"${TOPIC}","receiveFrom":"${WEBSOCKET.receiveFrom}","endAt":"2026-12-06T15:10:16.456Z"}`,
    );
  });

  it('writes every feature, dates with milliseconds and the rate as a duration', () => {
    assert.deepEqual(
      JSON.parse(serializeChannel(EVERY_FEATURE, JSON_LD, 'notifications-context')),
      {
        '@context': ['https://www.w3.org/ns/solid/notifications-context/v1'],
        id: ID,
        type: 'WebSocketChannel2023',
        topic: TOPIC,
        receiveFrom: WEBSOCKET.receiveFrom,
        startAt: '2026-11-22T15:10:16.456Z',
        endAt: '2026-12-06T15:10:16.456Z',
        rate: 'P1DT2H3M4.5S',
        state: '"1795360234054-text/plain"',
        accept: 'text/turtle, application/ld+json;q=0.9',
      },
    );
  });

  it('writes sendTo and sender for webhook channels', () => {
    const json = JSON.parse(serializeChannel(WEBHOOK, JSON_LD, 'notifications-context'));
    assert.deepEqual(Object.keys(json), [
      '@context',
      'id',
      'type',
      'topic',
      'sendTo',
      'sender',
      'endAt',
    ]);
    assert.equal(json.sender, WEBHOOK.sender);
  });

  it('writes Turtle with the notify and xsd prefixes', () => {
    assert.equal(
      serializeChannel(EVERY_FEATURE, TURTLE, 'legacy-notification'),
      `@prefix notify: <${NOTIFY}>.
@prefix xsd: <${XSD}>.

<${ID}> a notify:WebSocketChannel2023;
  notify:topic <${TOPIC}>;
  notify:receiveFrom <${WEBSOCKET.receiveFrom}>;
  notify:startAt "2026-11-22T15:10:16.456Z"^^xsd:dateTime;
  notify:endAt "2026-12-06T15:10:16.456Z"^^xsd:dateTime;
  notify:rate "P1DT2H3M4.5S"^^xsd:duration;
  notify:state "\\"1795360234054-text/plain\\"";
  notify:accept "text/turtle, application/ld+json;q=0.9".
`,
    );
  });

  it('writes Turtle that means the channel', () => {
    assert.deepEqual(
      turtleTriples(serializeChannel(WEBSOCKET, TURTLE, 'notifications-context')),
      triples(
        `<${ID}> <${RDF_TYPE}> <${NOTIFY}WebSocketChannel2023>`,
        `<${ID}> <${NOTIFY}topic> <${TOPIC}>`,
        `<${ID}> <${NOTIFY}receiveFrom> <${WEBSOCKET.receiveFrom}>`,
        `<${ID}> <${NOTIFY}endAt> "2026-12-06T15:10:16.456Z"^^<${XSD}dateTime>`,
      ),
    );
  });

  for (const [name, channel] of Object.entries(CHANNELS)) {
    for (const style of STYLES) {
      it(`writes JSON-LD with the same triples as the Turtle (${name}, ${style})`, async () => {
        assert.deepEqual(
          await jsonLdTriples(serializeChannel(channel, JSON_LD, style)),
          turtleTriples(serializeChannel(channel, TURTLE, style)),
        );
      });
    }
  }

  const formats = [
    { mediaType: JSON_LD, style: 'notifications-context', contentType: 'application/ld+json' },
    { mediaType: JSON_LD, style: 'legacy-notification', contentType: 'application/ld+json' },
    { mediaType: TURTLE, style: 'notifications-context', contentType: 'text/turtle' },
  ] as const;
  for (const { mediaType, style, contentType } of formats) {
    it(`writes what the subscription parser accepts (${mediaType}, ${style})`, async () => {
      for (const channel of [EVERY_FEATURE, WEBHOOK]) {
        const request = await parseSubscriptionRequest({
          body: serializeChannel(channel, mediaType, style),
          contentType,
          channelType: channel.type,
          baseIri: `${SERVICE}${channel.type}/`,
        });
        const { id, receiveFrom, sender, rateMs, ...rest } = channel;
        assert.deepEqual(request, {
          ...rest,
          ...(rateMs === undefined ? {} : { rateMs }),
          contextStyle: style,
        });
      }
    });
  }
});
