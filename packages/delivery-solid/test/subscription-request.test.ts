import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelType } from '../src/channel.js';
import { parseSubscriptionRequest } from '../src/subscription-request.js';
import {
  SubscriptionRequestError,
  type SubscriptionRequestErrorCode,
} from '../src/subscription-request-error.js';

const SERVICE = 'https://pod.example/.notifications/';
const TOPIC = 'https://pod.example/remote.php/dav/files/alice/notes.txt';
const OFFICIAL = 'https://www.w3.org/ns/solid/notifications-context/v1';
const LEGACY = 'https://www.w3.org/ns/solid/notification/v1';
const NOTIFY = 'http://www.w3.org/ns/solid/notifications#';
const XSD = 'http://www.w3.org/2001/XMLSchema#';
const RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';

interface Options {
  /** @defaultValue `application/ld+json` */
  contentType?: string | undefined;
  /** @defaultValue `WebSocketChannel2023` */
  channelType?: ChannelType;
}

function parse(body: string | object, options: Options = {}) {
  const channelType = options.channelType ?? 'WebSocketChannel2023';
  return parseSubscriptionRequest({
    body: typeof body === 'string' ? body : JSON.stringify(body),
    contentType: 'contentType' in options ? options.contentType : 'application/ld+json',
    channelType,
    baseIri: `${SERVICE}${channelType}/`,
  });
}

/** A body in the protocol's context with the given extra keys. */
function official(extra: Record<string, unknown> = {}) {
  return { '@context': [OFFICIAL], type: 'WebSocketChannel2023', topic: TOPIC, ...extra };
}

async function refused(
  request: Promise<unknown>,
  statusCode: number,
  code: SubscriptionRequestErrorCode,
  message: string | RegExp,
) {
  await assert.rejects(request, (error) => {
    assert.ok(error instanceof SubscriptionRequestError, String(error));
    assert.equal(error.statusCode, statusCode);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

function invalid(request: Promise<unknown>, message: string | RegExp) {
  return refused(request, 422, 'GW_SOLID_INVALID_CHANNEL', message);
}

describe('subscription requests: what is accepted', () => {
  it("accepts CSS's subscribe body: the legacy context with the full type IRI", async () => {
    const body = { '@context': [LEGACY], type: `${NOTIFY}WebSocketChannel2023`, topic: TOPIC };
    assert.deepEqual(await parse(body), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'legacy-notification',
    });
  });

  it('accepts the compact type under the legacy context', async () => {
    const body = { '@context': [LEGACY], type: 'WebSocketChannel2023', topic: TOPIC };
    assert.deepEqual(await parse(body), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'legacy-notification',
    });
  });

  it("accepts the protocol's channel example with every feature", async () => {
    const body = {
      '@context': [OFFICIAL],
      id: 'https://channel.example/ac748712',
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      receiveFrom: 'wss://websocket.example/d4cf3f19',
      startAt: '2023-01-01T07:00:00.000Z',
      endAt: '2023-01-01T09:00:00.000Z',
      rate: 'PT5M',
      state: 'e75-TFJH',
      accept: 'text/turtle',
    };
    assert.deepEqual(await parse(body), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'notifications-context',
      startAt: Date.UTC(2023, 0, 1, 7),
      endAt: Date.UTC(2023, 0, 1, 9),
      rateMs: 300_000,
      state: 'e75-TFJH',
      accept: 'text/turtle',
    });
  });

  it('accepts the notify:-prefixed type', async () => {
    const request = await parse(official({ type: 'notify:WebSocketChannel2023' }));
    assert.equal(request.type, 'WebSocketChannel2023');
  });

  it('accepts a typed literal rate', async () => {
    const rate = { '@value': 'PT1S', '@type': `${XSD}duration` };
    assert.equal((await parse(official({ rate }))).rateMs, 1000);
  });

  it("accepts the woutslabbinck client's shape: legacy context, full type, typed features", async () => {
    const body = {
      '@context': [LEGACY],
      topic: TOPIC,
      type: `${NOTIFY}WebSocketChannel2023`,
      rate: { '@value': 'PT1S', '@type': `${XSD}duration` },
      endAt: '2026-12-06T15:10:16.456Z',
      state: '"1795360234054-text/plain"',
    };
    assert.deepEqual(await parse(body), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'legacy-notification',
      endAt: Date.UTC(2026, 11, 6, 15, 10, 16, 456),
      rateMs: 1000,
      state: '"1795360234054-text/plain"',
    });
  });

  it("accepts CSS's Turtle body: a blank node with full IRIs", async () => {
    const body = `
      _:id <${RDF_TYPE}> <${NOTIFY}WebSocketChannel2023> ;
           <${NOTIFY}topic> <${TOPIC}>.
    `;
    assert.deepEqual(await parse(body, { contentType: 'text/turtle' }), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'notifications-context',
    });
  });

  it('accepts Turtle with prefixes, typed features and relative IRIs', async () => {
    const body = `@prefix notify: <${NOTIFY}>. @prefix xsd: <${XSD}>.
      [] a notify:WebSocketChannel2023; notify:topic <../../remote.php/dav/files/alice/notes.txt>;
        notify:rate "PT10S"^^xsd:duration; notify:endAt "2023-01-01T09:00:00Z"^^xsd:dateTime.`;
    assert.deepEqual(await parse(body, { contentType: 'Text/Turtle; charset=utf-8' }), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'notifications-context',
      endAt: Date.UTC(2023, 0, 1, 9),
      rateMs: 10_000,
    });
  });

  it('reads application/json as JSON-LD', async () => {
    const request = await parse(official(), { contentType: 'application/json' });
    assert.equal(request.topic, TOPIC);
  });

  it('accepts the profiles the spec names', async () => {
    for (const profile of [
      OFFICIAL,
      LEGACY,
      'http://www.w3.org/ns/solid/notifications-context/v1.jsonld',
      'http://www.w3.org/ns/json-ld#compacted',
      `http://www.w3.org/ns/json-ld#expanded ${OFFICIAL}`,
    ]) {
      const request = await parse(official(), {
        contentType: `application/ld+json; profile="${profile}"`,
      });
      assert.equal(request.topic, TOPIC, profile);
    }
  });

  it("accepts the WebSocket draft's misspelt type namespace", async () => {
    const request = await parse(
      official({ type: 'http://www.w3.org/ns/solid/notification#WebSocketChannel2023' }),
    );
    assert.equal(request.type, 'WebSocketChannel2023');
  });

  it("accepts CSS's webhook body, whose full-IRI sendTo key gives a literal", async () => {
    const body = {
      '@context': [LEGACY],
      type: `${NOTIFY}WebhookChannel2023`,
      topic: TOPIC,
      [`${NOTIFY}sendTo`]: 'https://hooks.example/receive',
    };
    assert.deepEqual(await parse(body, { channelType: 'WebhookChannel2023' }), {
      type: 'WebhookChannel2023',
      topic: TOPIC,
      contextStyle: 'legacy-notification',
      sendTo: 'https://hooks.example/receive',
    });
  });

  it('accepts a topic given as a literal absolute URL', async () => {
    const body = {
      '@context': [OFFICIAL],
      type: 'WebSocketChannel2023',
      [`${NOTIFY}topic`]: TOPIC,
    };
    assert.equal((await parse(body)).topic, TOPIC);
  });

  it('accepts plain-string dates and rates under full-IRI keys', async () => {
    const body = official({
      [`${NOTIFY}startAt`]: '2023-01-01T08:00:00+01:00',
      [`${NOTIFY}rate`]: 'PT2S',
    });
    const request = await parse(body);
    assert.equal(request.startAt, Date.UTC(2023, 0, 1, 7));
    assert.equal(request.rateMs, 2000);
  });

  it("tolerates the drafts' lower-case rate designators", async () => {
    assert.equal((await parse(official({ rate: 'PT10s' }))).rateMs, 10_000);
  });

  it('ignores keys no context defines and predicates of other namespaces', async () => {
    const body = official({ expiration: 'tomorrow', 'https://ext.example/priority': 5 });
    assert.deepEqual(await parse(body), {
      type: 'WebSocketChannel2023',
      topic: TOPIC,
      contextStyle: 'notifications-context',
    });
  });

  it('ignores receiveFrom and sender, so a channel description sent back is accepted', async () => {
    const request = await parse(
      official({ receiveFrom: 'wss://pod.example/x', sender: 'https://pod.example/webid' }),
    );
    assert.equal(request.topic, TOPIC);
  });

  it('resolves a relative topic against the request URL', async () => {
    const request = await parse(official({ topic: '/remote.php/dav/files/alice/notes.txt' }));
    assert.equal(request.topic, TOPIC);
  });

  it('answers in the protocol style when both contexts are named', async () => {
    const request = await parse(official({ '@context': [LEGACY, OFFICIAL] }));
    assert.equal(request.contextStyle, 'notifications-context');
  });

  it('recognises the legacy context in any position and IRI variant', async () => {
    for (const context of [
      'http://www.w3.org/ns/solid/notification/v1',
      ['https://www.w3.org/ns/activitystreams', `${LEGACY}.jsonld`],
      [{ ex: 'https://ext.example/' }, `${LEGACY}#`],
    ]) {
      const request = await parse(official({ '@context': context }));
      assert.equal(request.contextStyle, 'legacy-notification', JSON.stringify(context));
    }
  });

  it('accepts a top-level array holding the channel', async () => {
    assert.equal(
      (await parse([official({ '@context': LEGACY })])).contextStyle,
      'legacy-notification',
    );
  });

  it('accepts the same value given twice', async () => {
    assert.equal((await parse(official({ topic: [TOPIC, TOPIC] }))).topic, TOPIC);
  });

  it('accepts an accept feature with weights', async () => {
    const accept = 'text/turtle, application/ld+json;q=0.9';
    assert.equal((await parse(official({ accept }))).accept, accept);
  });
});

describe('subscription requests: media types (415)', () => {
  it('answers 415 without a Content-Type', async () => {
    await refused(
      parse(official(), { contentType: undefined }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      'the request has no Content-Type: send the channel as application/ld+json (preferred), application/json (read as JSON-LD) or text/turtle',
    );
    await refused(
      parse(official(), { contentType: ' ' }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      /no Content-Type/,
    );
  });

  it('answers 415 for an unsupported media type, naming the accepted ones', async () => {
    await refused(
      parse(official(), { contentType: 'text/plain; charset=utf-8' }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      'unsupported Content-Type text/plain: send the channel as application/ld+json (preferred), application/json (read as JSON-LD) or text/turtle',
    );
    await refused(
      parse(official(), { contentType: 'application/n-triples' }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      /unsupported/,
    );
  });

  it('answers 415 for an unreadable Content-Type', async () => {
    await refused(
      parse(official(), { contentType: 'application/ld+json; profile' }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      /^unreadable Content-Type "application\/ld\+json; profile"/,
    );
  });

  it('answers 415 for an unknown profile', async () => {
    await refused(
      parse(official(), {
        contentType: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
      }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      'unsupported profile https://www.w3.org/ns/activitystreams: the gateway reads application/ld+json with the profile https://www.w3.org/ns/solid/notifications-context/v1 or https://www.w3.org/ns/solid/notification/v1, or one of http://www.w3.org/ns/json-ld#compacted, http://www.w3.org/ns/json-ld#expanded, http://www.w3.org/ns/json-ld#flattened',
    );
    await refused(
      parse(official(), {
        contentType: `application/ld+json;profile="${OFFICIAL} https://example.org/p"`,
      }),
      415,
      'GW_SOLID_MEDIA_TYPE',
      /^unsupported profile https:\/\/example\.org\/p:/,
    );
  });
});

describe('subscription requests: unparsable bodies (400)', () => {
  it('answers 400 for malformed JSON, saying where', async () => {
    await refused(
      parse(`{"@context": ["${OFFICIAL}"],\n "topic": "${TOPIC}",\n}`),
      400,
      'GW_SOLID_UNPARSABLE',
      'the body is not valid JSON: unexpected "}" at line 3, column 1',
    );
  });

  it('answers 400 for an empty JSON body', async () => {
    await refused(parse(''), 400, 'GW_SOLID_UNPARSABLE', 'the body is empty');
  });

  it('answers 400 for malformed Turtle, saying the line', async () => {
    await refused(
      parse(`<${TOPIC}> <${NOTIFY}topic>\n<${TOPIC}> <x>.`, { contentType: 'text/turtle' }),
      400,
      'GW_SOLID_UNPARSABLE',
      /^the body is not valid Turtle: .* on line 2\.$/,
    );
  });

  it('says which prefix declaration a Turtle body lacks', async () => {
    await refused(
      parse(`_:id a notify:WebSocketChannel2023; notify:topic <${TOPIC}>.`, {
        contentType: 'text/turtle',
      }),
      400,
      'GW_SOLID_UNPARSABLE',
      `the body is not valid Turtle: Undefined prefix "notify:" on line 1. (declare it: @prefix notify: <${NOTIFY}>.)`,
    );
  });
});

describe('subscription requests: invalid JSON-LD (422)', () => {
  it('answers 422 for an unrecognised context, without fetching it', async () => {
    await refused(
      parse(official({ '@context': ['https://example.org/context.jsonld'] })),
      422,
      'GW_SOLID_JSON_LD',
      'unrecognised JSON-LD context https://example.org/context.jsonld: only the Solid notifications and Activity Streams contexts are supported (they are bundled; the gateway never fetches contexts)',
    );
  });

  it('names a relative context IRI as resolved against the request URL', async () => {
    await refused(
      parse(official({ '@context': 'context.jsonld' })),
      422,
      'GW_SOLID_JSON_LD',
      /^unrecognised JSON-LD context https:\/\/pod\.example\/\.notifications\/WebSocketChannel2023\/context\.jsonld:/,
    );
  });

  it('answers 422 for a malformed @context', async () => {
    await refused(
      parse(official({ '@context': 5 })),
      422,
      'GW_SOLID_JSON_LD',
      'the body is not valid JSON-LD (invalid local context): @context must be an object.',
    );
  });

  it('answers 422 for redefining a term the notifications context protects', async () => {
    await refused(
      parse(official({ '@context': [OFFICIAL, { topic: 'https://ext.example/topic' }] })),
      422,
      'GW_SOLID_JSON_LD',
      /^the body is not valid JSON-LD \(protected term redefinition\)/,
    );
  });

  it('answers 422 for JSON that is no JSON-LD document', async () => {
    for (const body of ['5', '"https://pod.example/x"', 'null']) {
      await refused(
        parse(body),
        422,
        'GW_SOLID_JSON_LD',
        /^the body is JSON but not a JSON-LD document/,
      );
    }
  });
});

describe('subscription requests: invalid channels (422)', () => {
  it('answers 422 without a topic, explaining dropped keys', async () => {
    await invalid(
      parse({ type: 'WebSocketChannel2023', topic: TOPIC }, { contentType: 'application/json' }),
      `the channel has no topic: name the resource to watch with ${NOTIFY}topic (in JSON-LD, "topic" under the @context ${OFFICIAL}); JSON-LD dropped the keys "topic", "type", which no @context defines (use "@context": ["${OFFICIAL}"])`,
    );
  });

  it('answers 422 when the topic is not an IRI JSON-LD can keep', async () => {
    await invalid(
      parse(official({ topic: 'https://pod.example/a file' })),
      /JSON-LD dropped the values "https:\/\/pod\.example\/a file", which are not absolute IRIs$/,
    );
  });

  it('points at a topic predicate that is not notify:topic', async () => {
    await invalid(
      parse(
        `<${RDF_TYPE}> <x:y> <z:z>. [] <http://www.w3.org/ns/solid/notification#topic> <${TOPIC}>.`,
        {
          contentType: 'text/turtle',
        },
      ),
      /; http:\/\/www\.w3\.org\/ns\/solid\/notification#topic is not it$/,
    );
  });

  it('answers 422 for two channels in one request', async () => {
    await invalid(
      parse([official(), official({ id: 'https://pod.example/second' })]),
      'the body describes 2 channels (2 subjects have a notify:topic): subscribe one channel per request',
    );
  });

  it('answers 422 without a type', async () => {
    await invalid(
      parse({ '@context': [OFFICIAL], topic: TOPIC }),
      `the channel has no type; this service subscribes WebSocketChannel2023 channels: "type": "WebSocketChannel2023" under the @context ${OFFICIAL}, or the IRI ${NOTIFY}WebSocketChannel2023`,
    );
  });

  it('answers 422 for two types', async () => {
    await invalid(
      parse(official({ type: ['WebSocketChannel2023', 'https://ext.example/Channel'] })),
      /^the channel has 2 types \(<http:\/\/www\.w3\.org\/ns\/solid\/notifications#WebSocketChannel2023>, <https:\/\/ext\.example\/Channel>\); this service subscribes/,
    );
  });

  it('answers 422 for the other offered type, naming its service path', async () => {
    await invalid(
      parse(official({ type: 'WebhookChannel2023' })),
      'this is the subscription service for WebSocketChannel2023: send WebhookChannel2023 subscriptions to /.notifications/WebhookChannel2023/',
    );
    await invalid(
      parse(official(), { channelType: 'WebhookChannel2023' }),
      'this is the subscription service for WebhookChannel2023: send WebSocketChannel2023 subscriptions to /.notifications/WebSocketChannel2023/',
    );
  });

  it('answers 422 for a known channel type the gateway does not offer', async () => {
    await invalid(
      parse(official({ type: 'StreamingHTTPChannel2023' })),
      'the gateway has no subscription service for StreamingHTTPChannel2023; it offers WebSocketChannel2023 at /.notifications/WebSocketChannel2023/ and WebhookChannel2023 at /.notifications/WebhookChannel2023/',
    );
  });

  it('answers 422 for an unknown type', async () => {
    await invalid(
      parse(official({ type: `${NOTIFY}WebSocketSubscription2021` })),
      /^unknown channel type <http:\/\/www\.w3\.org\/ns\/solid\/notifications#WebSocketSubscription2021>; this service subscribes WebSocketChannel2023 channels/,
    );
  });

  it('says when the compact type was resolved outside the notifications namespace', async () => {
    await invalid(
      parse(
        official({
          '@context': 'https://www.w3.org/ns/activitystreams',
          [`${NOTIFY}topic`]: TOPIC,
        }),
      ),
      `unknown channel type a blank node (under the Activity Streams context a type term it does not define becomes a blank node); this service subscribes WebSocketChannel2023 channels: "type": "WebSocketChannel2023" under the @context ${OFFICIAL}, or the IRI ${NOTIFY}WebSocketChannel2023`,
    );
    await invalid(
      parse({ '@type': 'WebSocketChannel2023', [`${NOTIFY}topic`]: TOPIC }),
      /^unknown channel type <https:\/\/pod\.example\/\.notifications\/WebSocketChannel2023\/WebSocketChannel2023> \(the type is in the wrong namespace: "WebSocketChannel2023" means http:\/\/www\.w3\.org\/ns\/solid\/notifications#WebSocketChannel2023 only under a notifications @context\)/,
    );
  });

  it('answers 422 for two topics', async () => {
    await invalid(
      parse(official({ topic: [TOPIC, `${TOPIC}2`] })),
      `the channel has 2 topics (<${TOPIC}>, <${TOPIC}2>): a channel watches one resource, so subscribe once per topic`,
    );
  });

  it('answers 422 for a topic that is not an http(s) URL', async () => {
    await invalid(
      parse(official({ [`${NOTIFY}topic`]: 'notes.txt', topic: undefined })),
      'topic must be the absolute http(s) URL of the resource to watch; got "notes.txt"',
    );
    await invalid(
      parse(official({ topic: 'urn:uuid:4f1f0b53-2b5a-4c4b-9a4c-6e0a1c1e2f3a' })),
      /^topic must be the absolute http\(s\) URL of the resource to watch; got <urn:uuid:/,
    );
    await invalid(
      parse(`[] a <${NOTIFY}WebSocketChannel2023>; <${NOTIFY}topic> [].`, {
        contentType: 'text/turtle',
      }),
      'topic must be the absolute http(s) URL of the resource to watch; got a blank node',
    );
    await invalid(
      parse(
        official({
          [`${NOTIFY}topic`]: { '@value': TOPIC, '@type': `${XSD}integer` },
          topic: undefined,
        }),
      ),
      /got "https:\/\/pod\.example\/.*"\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#integer>$/,
    );
  });

  it('answers 422 for an unknown notify predicate, with a hint for the old expiration', async () => {
    await invalid(
      parse(official({ 'notify:expiration': '2023-01-01T09:00:00.000Z' })),
      `unknown property ${NOTIFY}expiration (the webhook draft's old name of endAt: send endAt, an xsd:dateTime such as 2023-01-01T09:00:00.000Z); a subscription request carries topic, the features startAt, endAt, rate, state, accept, and for WebhookChannel2023 sendTo`,
    );
  });

  it('suggests the feature a mistyped predicate resembles', async () => {
    await invalid(
      parse(official({ 'notify:endat': 'x', 'notify:channelType': 'y' })),
      `unknown properties ${NOTIFY}channelType, ${NOTIFY}endat (did you mean endAt?); a subscription request carries topic, the features startAt, endAt, rate, state, accept, and for WebhookChannel2023 sendTo`,
    );
  });

  it('answers 422 for a feature given twice', async () => {
    await invalid(
      parse(official({ state: ['a', 'b'] })),
      'state is given 2 times ("a", "b"): give it at most once',
    );
  });

  it('answers 422 for an endAt that is no date-time, naming the feature', async () => {
    await invalid(
      parse(official({ endAt: 'tomorrow' })),
      'endAt must be an xsd:dateTime with a time zone, such as 2023-01-01T09:00:00.000Z; got "tomorrow"^^<http://www.w3.org/2001/XMLSchema#dateTime>: not a date-time with a time zone, such as 2023-01-01T09:00:00.000Z or 2023-01-01T10:00:00+01:00',
    );
    await invalid(
      parse(official({ startAt: '2023-01-01T09:00:00' })),
      /^startAt must be an xsd:dateTime/,
    );
    await invalid(
      parse(official({ startAt: '2023-02-30T09:00:00Z' })),
      /^startAt .*: no such date or time of day$/,
    );
  });

  it('answers 422 for a date of another datatype', async () => {
    await invalid(
      parse(official({ endAt: { '@value': '2023-01-01', '@type': `${XSD}date` } })),
      'endAt must be an xsd:dateTime with a time zone, such as 2023-01-01T09:00:00.000Z; got "2023-01-01"^^<http://www.w3.org/2001/XMLSchema#date>',
    );
    await invalid(
      parse(official({ [`${NOTIFY}endAt`]: { '@id': TOPIC } })),
      `endAt must be an xsd:dateTime with a time zone, such as 2023-01-01T09:00:00.000Z; got <${TOPIC}>`,
    );
  });

  it('answers 422 for startAt after endAt', async () => {
    await invalid(
      parse(official({ startAt: '2023-01-02T00:00:00Z', endAt: '2023-01-01T00:00:00Z' })),
      'startAt is after endAt: the channel would never deliver a notification',
    );
  });

  it('answers 422 for a rate that is no duration', async () => {
    await invalid(
      parse(official({ rate: 'ten seconds' })),
      /^rate must be an xsd:duration longer than zero, such as PT10S; got "ten seconds"\^\^<http:\/\/www\.w3\.org\/2001\/XMLSchema#duration>: not an xsd:duration/,
    );
    await invalid(
      parse(official({ [`${NOTIFY}rate`]: 10 })),
      'rate must be an xsd:duration longer than zero, such as PT10S; got "10"^^<http://www.w3.org/2001/XMLSchema#integer>',
    );
  });

  it('answers 422 for a rate in months, with the minute hint', async () => {
    await invalid(parse(official({ rate: 'P1M' })), /P1M is one month; one minute is PT1M\)$/);
  });

  it('answers 422 for a rate that is not above zero', async () => {
    await invalid(
      parse(official({ rate: 'PT0S' })),
      'rate must be an xsd:duration longer than zero, such as PT10S; got "PT0S"^^<http://www.w3.org/2001/XMLSchema#duration>',
    );
    await invalid(
      parse(official({ rate: '-PT1S' })),
      /^rate must be an xsd:duration longer than zero/,
    );
  });

  it('answers 422 for a state that is not a string', async () => {
    await invalid(
      parse(official({ [`${NOTIFY}state`]: { '@id': TOPIC } })),
      `state must be a string; got <${TOPIC}>`,
    );
  });

  it('answers 422 for an accept the gateway cannot satisfy or that is not an Accept header', async () => {
    await invalid(
      parse(official({ accept: 'image/png' })),
      'accept must be an HTTP Accept header value that accepts application/ld+json or text/turtle, the forms notifications are written in; got "image/png"',
    );
    await invalid(
      parse(official({ accept: 'text/turtle; q=2' })),
      /^accept must be an HTTP Accept header/,
    );
    await invalid(
      parse(official({ accept: 'text/*;q=0, application/ld+json;q=0, */*' })),
      /^accept must be/,
    );
  });

  it('answers 422 for sendTo on a WebSocket request', async () => {
    await invalid(
      parse(official({ sendTo: 'https://hooks.example/receive' })),
      "sendTo belongs to WebhookChannel2023: a WebSocketChannel2023 receiver connects to the channel's receiveFrom; to have notifications POSTed to you, subscribe at /.notifications/WebhookChannel2023/",
    );
  });

  it('answers 422 for a webhook request without sendTo', async () => {
    await invalid(
      parse(official({ type: 'WebhookChannel2023' }), { channelType: 'WebhookChannel2023' }),
      'a WebhookChannel2023 channel needs sendTo: the https URL the notifications are POSTed to',
    );
  });

  it('answers 422 for a sendTo that is not an http(s) URL', async () => {
    await invalid(
      parse(
        official({ type: 'WebhookChannel2023', [`${NOTIFY}sendTo`]: 'hooks.example/receive' }),
        {
          channelType: 'WebhookChannel2023',
        },
      ),
      'sendTo must be the absolute http(s) URL of the webhook to POST notifications to; got "hooks.example/receive"',
    );
  });
});
